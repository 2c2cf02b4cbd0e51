import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { StreamMedicConfig, TargetConfig } from '../lambdas/domain/config';
import { arnsPerStatement, longestResourceName } from '../lambdas/domain/fleet-layout';
import { modeMayChange } from '../lambdas/domain/vocabulary';

/**
 * ARNs of one kind of watched resource: every configured one, and those an `auto` target may change.
 * With `grantByTag`, each list is the one ARN pattern of every such resource of the account and
 * region, and `conditions` keeps it to those carrying the tag.
 */
export interface ResourceArns {
  readonly all: readonly string[];
  readonly auto: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
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
  config: Pick<StreamMedicConfig, 'targets' | 'grantByTag'>,
  targetRegion: string,
): WorkflowResourceArns {
  // formatArn, not one Fn::Sub: CDK splits a role policy past IAM's size quotas by its own estimate
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
  if (config.grantByTag !== undefined) {
    // Kinesis streams and Flink applications both take `aws:ResourceTag/<key>` (docs/iam.md).
    const conditions = { StringEquals: { [`aws:ResourceTag/${config.grantByTag.key}`]: config.grantByTag.value } };
    const tagged = (some: boolean, service: string, resource: string): string[] =>
      some ? [arn(service, resource, '*')] : [];
    const has = (targets: readonly TargetConfig[], kind: 'stream' | 'application'): boolean =>
      targets.some((t) => t[kind] !== undefined);
    return {
      streams: {
        all: tagged(has(config.targets, 'stream'), 'kinesis', 'stream'),
        auto: tagged(has(auto, 'stream'), 'kinesis', 'stream'),
        conditions,
      },
      applications: {
        all: tagged(has(config.targets, 'application'), 'kinesisanalytics', 'application'),
        auto: tagged(has(auto, 'application'), 'kinesisanalytics', 'application'),
        conditions,
      },
    };
  }
  return {
    streams: { all: streamArns(config.targets), auto: streamArns(auto) },
    applications: { all: applicationArns(config.targets), auto: applicationArns(auto) },
  };
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
  conditions?: ResourceArns['conditions'],
): void {
  const perStatement = arnsPerStatement(longestResourceName(config));
  for (const chunk of statementChunks(arns, perStatement)) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: chunk, ...(conditions !== undefined ? { conditions } : {}) }),
    );
  }
  const principal = grantee.grantPrincipal;
  if (conditions !== undefined && principal instanceof iam.Role) {
    for (const arn of arns) {
      Validations.of(principal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(Stack.of(principal), arn)}]`,
        reason: `Silences ${actions.join(', ')} on this one ARN pattern only, held to the resources carrying the config's grantByTag tag (${JSON.stringify(conditions)}).`,
      });
    }
  }
}

/** An ARN as cdk-nag names it in a finding: references as `<Name>`, literals as they are. */
function nagResource(stack: Stack, arn: string): string {
  const resolved: unknown = stack.resolve(arn);
  const part = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null && 'Ref' in value
        ? `<${String((value as { Ref: unknown }).Ref)}>`
        : JSON.stringify(value);
  if (typeof resolved === 'object' && resolved !== null && 'Fn::Join' in resolved) {
    const [, parts] = (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map(part).join('');
  }
  return part(resolved);
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
