import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { StreamMedicConfig, TargetConfig } from '../lambdas/domain/config';
import { modeMayChange } from '../lambdas/domain/vocabulary';

/** ARNs of one kind of watched resource: every configured one, and those an `auto` target may change. */
export interface ResourceArns {
  readonly all: readonly string[];
  readonly auto: readonly string[];
}

export interface WorkflowResourceArns {
  readonly streams: ResourceArns;
  readonly applications: ResourceArns;
}

/**
 * The ARNs of the streams and applications the config names, in the region the targets live in.
 * Only the resources of `auto` and `approve` targets may receive a write grant; recommend and observe
 * targets are read.
 */
export function workflowResourceArns(
  stack: Stack,
  config: Pick<StreamMedicConfig, 'targets'>,
  targetRegion: string,
): WorkflowResourceArns {
  const arn = (service: string, resource: string, name: string): string =>
    stack.formatArn({
      service,
      resource,
      resourceName: name,
      region: targetRegion,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  const streamArns = (targets: readonly TargetConfig[]): string[] =>
    unique(targets.flatMap((t) => (t.stream ? [arn('kinesis', 'stream', t.stream.name)] : [])));
  const applicationArns = (targets: readonly TargetConfig[]): string[] =>
    unique(targets.flatMap((t) => (t.application ? [arn('kinesisanalytics', 'application', t.application.name)] : [])));
  const auto = config.targets.filter((t) => modeMayChange(t.mode));
  return {
    streams: { all: streamArns(config.targets), auto: streamArns(auto) },
    applications: { all: applicationArns(config.targets), auto: applicationArns(auto) },
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Grants `actions` on the items of one partition-key prefix of the table only. Lock and ledger items
 * share the table but not a prefix (ports/ledger-table.ts), so `dynamodb:LeadingKeys` keeps each role
 * to its own items. `ForAllValues` also holds for a request that names no key; `Null: false` demands one.
 */
export function grantOnPartition(
  grantee: iam.IGrantable,
  table: dynamodb.ITable,
  actions: readonly string[],
  partitionPrefix: string,
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${partitionPrefix}*`] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    }),
  );
}
