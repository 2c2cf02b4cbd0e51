import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CLI_MAX_ATTEMPTS, createCliAwsClients, type CliAwsClients } from '../../../cli/commands/services';
import { DEFAULT_MAX_ATTEMPTS } from '../../../lambdas/adapters/aws-clients';
import { liveRun } from './support/live-harness';

const ATTEMPTS = 3;

/**
 * Throttling goes through the real SDK retry strategy here: a loopback server plays Kinesis, which
 * reports DescribeStreamSummary throttling as LimitExceededException, and answers after `throttles`
 * refusals (or never).
 */
describe('stream-medic capture under Kinesis throttling', () => {
  let server: Server;
  let endpoint: string;
  let throttles = 0;
  let requests = 0;
  const opened: CliAwsClients[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        requests += 1;
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        if (requests <= throttles) {
          response.statusCode = 400;
          response.setHeader('x-amzn-errortype', 'LimitExceededException');
          response.end(JSON.stringify({ __type: 'LimitExceededException', message: 'Rate exceeded for stream s.' }));
          return;
        }
        response.end(
          JSON.stringify({
            StreamDescriptionSummary: {
              StreamName: 's',
              StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s',
              StreamStatus: 'ACTIVE',
              StreamModeDetails: { StreamMode: 'PROVISIONED' },
              RetentionPeriodHours: 24,
              StreamCreationTimestamp: 1_790_000_000,
              EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
              EncryptionType: 'NONE',
              OpenShardCount: 2,
              ConsumerCount: 0,
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const clients of opened) for (const client of Object.values(clients)) client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  function factory() {
    const clients = createCliAwsClients({
      region: 'eu-west-1',
      endpoints: { kinesis: endpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: ATTEMPTS,
    });
    opened.push(clients);
    mockClient(clients.cloudWatch).on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    return () => clients;
  }

  beforeEach(() => {
    requests = 0;
  });

  it('rides out throttling that clears within the retries', async () => {
    throttles = ATTEMPTS - 1;

    const result = await liveRun(['capture', '--stream', 's'], factory());

    expect(result.code).toBe(0);
    expect(requests).toBe(ATTEMPTS);
    expect(JSON.parse(result.stdout).describeStreamSummary.StreamDescriptionSummary.OpenShardCount).toBe(2);
  });

  it('reports throttling that outlasts the retries, with the number of attempts (exit 1)', async () => {
    throttles = Number.POSITIVE_INFINITY;

    const result = await liveRun(['capture', '--stream', 's'], factory());

    expect(result.code).toBe(1);
    expect(requests).toBe(ATTEMPTS);
    expect(result.stderr).toBe(
      `stream-medic: AWS throttled DescribeStreamSummary for stream "s" after ${ATTEMPTS} attempts with backoff ` +
        "(LimitExceededException: Rate exceeded for stream s): other callers share this API's rate; wait a minute and try again\n",
    );
  });

  it('gives every client more attempts than the Lambdas have, since a person is waiting', async () => {
    const clients = createCliAwsClients({ region: 'eu-west-1' });
    opened.push(clients);

    const attempts = await Promise.all(Object.values(clients).map((client) => client.config.maxAttempts()));

    expect(CLI_MAX_ATTEMPTS).toBeGreaterThan(DEFAULT_MAX_ATTEMPTS);
    expect(attempts).toStrictEqual(Object.values(clients).map(() => CLI_MAX_ATTEMPTS));
  });
});
