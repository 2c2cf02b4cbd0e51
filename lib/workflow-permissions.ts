import { ArnFormat, Aws, Fn, Token, type Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { StreamMedicConfig, TargetConfig } from '../lambdas/domain/config';
import { arnsPerStatement, longestResourceName } from '../lambdas/domain/fleet-layout';
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
  // formatArn, not compactArn: CDK splits a role policy past IAM's size quotas by its own estimate
  // of each ARN's length, which a single Fn::Sub token would understate.
  const arn = (service: string, resource: string, name: string): string =>
    stack.formatArn({
      service,
      resource,
      resourceName: name,
      region: targetRegion,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  const arns = (service: string, resource: string, names: readonly string[]): string[] =>
    unique(names).map((name) => arn(service, resource, name));
  const streamArns = (targets: readonly TargetConfig[]): string[] =>
    arns(
      'kinesis',
      'stream',
      targets.flatMap((t) => (t.stream ? [t.stream.name] : [])),
    );
  const applicationArns = (targets: readonly TargetConfig[]): string[] =>
    arns(
      'kinesisanalytics',
      'application',
      targets.flatMap((t) => (t.application ? [t.application.name] : [])),
    );
  const auto = config.targets.filter((t) => modeMayChange(t.mode));
  return {
    streams: { all: streamArns(config.targets), auto: streamArns(auto) },
    applications: { all: applicationArns(config.targets), auto: applicationArns(auto) },
  };
}

/**
 * An ARN in this stack's account as one `Fn::Sub`, rather than the `Fn::Join` of formatArn: the
 * dashboard lists every alarm of a fleet, and this renders each in about a third of the template bytes. A pseudo parameter (an environment-agnostic stack) becomes its `${AWS::...}`
 * reference, a value known at synth is written as is; anything else (a resource name that is a token)
 * returns undefined, for formatArn to resolve.
 */
export function compactArn(stack: Stack, service: string, region: string, resource: string): string | undefined {
  const known = (value: string, pseudo: string, reference: string): string | undefined =>
    !Token.isUnresolved(value) ? value : value === pseudo ? reference : undefined;
  const regionPart = known(region, Aws.REGION, '${AWS::Region}');
  const accountPart = known(stack.account, Aws.ACCOUNT_ID, '${AWS::AccountId}');
  if (regionPart === undefined || accountPart === undefined || Token.isUnresolved(resource)) return undefined;
  return Fn.sub(`arn:\${AWS::Partition}:${service}:${regionPart}:${accountPart}:${resource}`);
}

/**
 * The ARNs in statements of {@link arnsPerStatement} each. CDK moves a role's statements past IAM's
 * inline quota into managed policies but never splits a statement, and a statement of a whole
 * fleet's ARNs would exceed any managed policy (docs/fleet.md).
 */
export function statementChunks(arns: readonly string[], perStatement: number): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < arns.length; start += perStatement) {
    chunks.push(arns.slice(start, start + perStatement));
  }
  return chunks;
}

/**
 * Grants `actions` on `arns` to the role `grantee` acts with, in statements sized for the config's
 * longest resource name ({@link statementChunks}); a grant on no ARN adds nothing.
 */
export function allowInStatements(
  grantee: iam.IGrantable,
  actions: string[],
  arns: readonly string[],
  config: StreamMedicConfig,
): void {
  const perStatement = arnsPerStatement(longestResourceName(config));
  for (const chunk of statementChunks(arns, perStatement)) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: chunk }));
  }
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
