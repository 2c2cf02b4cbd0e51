import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sdkClientConfig } from '../../lambdas/handlers/sdk-client-config';

const HANDLERS = join(__dirname, '../../lambdas/handlers');

describe('API pacing of the Lambda functions', () => {
  it.each([
    ['CloudWatch', CloudWatchClient],
    ['Kinesis', KinesisClient],
    ['Managed Flink', KinesisAnalyticsV2Client],
    ['DynamoDB', DynamoDBClient],
    ['SNS', SNSClient],
    ['Step Functions', SFNClient],
  ])('gives the %s client client-side rate limiting (the adaptive retry mode)', async (_name, Client) => {
    const client = new Client(sdkClientConfig('eu-west-1'));
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await client.config.maxAttempts()).toBe(3);
  });

  it('builds every client of every handler from those settings', () => {
    const unpaced: string[] = [];
    for (const file of readdirSync(HANDLERS).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(HANDLERS, file), 'utf8');
      for (const [, client, argument] of source.matchAll(/new ([A-Za-z0-9]+Client)\(([^()]*)/g)) {
        const settings = argument!.trim();
        const fromSettings =
          settings.startsWith('sdkClientConfig') || new RegExp(`const ${settings} = sdkClientConfig\\(`).test(source);
        if (!fromSettings) unpaced.push(`${file}: ${client}(${settings})`);
      }
    }
    expect(unpaced).toEqual([]);
  });
});
