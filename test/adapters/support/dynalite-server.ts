import type { Server } from 'node:http';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createAwsClients } from '../../../lambdas/adapters/aws-clients';
import { LEDGER_TABLE_KEY_SCHEMA } from '../../../lambdas/ports/ledger-table';

export interface DynaliteLedgerTable {
  readonly tableName: string;
  readonly documentClient: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/**
 * Runs dynalite in this process, in memory, on a free loopback port, with the ledger table created
 * from the same key schema the stack deploys.
 */
export async function startDynaliteLedgerTable(tableName = 'stream-medic-ledger'): Promise<DynaliteLedgerTable> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');

  // The clients the Lambdas use, pointed at dynalite.
  const { dynamoDb: client, dynamoDbDocument: documentClient } = createAwsClients({
    region: 'us-east-1',
    endpoints: { dynamoDb: `http://127.0.0.1:${address.port}` },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const { partitionKey, sortKey } = LEDGER_TABLE_KEY_SCHEMA;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        { AttributeName: sortKey.name, AttributeType: sortKey.type },
      ],
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
    }),
  );

  return {
    tableName,
    documentClient,
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
