import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createAwsClients, DEFAULT_MAX_ATTEMPTS, type AwsClientsProps } from '../../lambdas/adapters/aws-clients';

describe('createAwsClients', () => {
  it('gives every client the region, the retry policy and one shared HTTP/1.1 handler', async () => {
    const clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 2, retryMode: 'adaptive' });
    const all = [clients.cloudWatch, clients.kinesis, clients.kinesisAnalytics, clients.sns, clients.dynamoDb];

    for (const client of all) {
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.maxAttempts()).toBe(2);
      expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
      expect(client.config.requestHandler).toBeInstanceOf(NodeHttpHandler);
      expect(client.config.requestHandler).toBe(clients.kinesis.config.requestHandler);
    }
  });

  it('defaults to a modest number of attempts with the standard retry mode', async () => {
    const clients = createAwsClients({ region: 'us-east-1' });

    expect(DEFAULT_MAX_ATTEMPTS).toBe(3);
    expect(await clients.kinesis.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(await clients.kinesis.config.retryStrategy()).toMatchObject({ mode: 'standard' });
  });

  it('points a service at its own endpoint, the others at the shared one', async () => {
    const clients = createAwsClients({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      endpoints: { kinesis: 'http://127.0.0.1:4568' },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    expect(await clients.kinesis.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4568 });
    expect(await clients.sns.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4566 });
    expect(await clients.dynamoDb.config.credentials()).toMatchObject({ accessKeyId: 'local' });
  });

  it('wraps the DynamoDB client in a document client that drops undefined fields', () => {
    const clients = createAwsClients({ region: 'us-east-1' });

    expect(clients.dynamoDbDocument.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
  });

  it.each<{ props: AwsClientsProps; prop: string }>([
    { props: { maxAttempts: 0 }, prop: 'maxAttempts' },
    { props: { maxAttempts: 1.5 }, prop: 'maxAttempts' },
    { props: { connectionTimeoutMs: -1 }, prop: 'connectionTimeoutMs' },
    { props: { requestTimeoutMs: 0 }, prop: 'requestTimeoutMs' },
    { props: { endpoint: 'localhost:4566' }, prop: 'endpoint' },
    { props: { endpoints: { dynamoDb: 'not a url' } }, prop: 'endpoints.dynamoDb' },
  ])('refuses a bad $prop, naming it', ({ props, prop }) => {
    expect(() => createAwsClients({ region: 'us-east-1', ...props })).toThrow(
      new RegExp(`^${prop.replace('.', '\\.')} `),
    );
  });
});
