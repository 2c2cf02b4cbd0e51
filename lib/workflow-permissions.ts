import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type { StreamMedicConfig, TargetConfig } from '../lambdas/domain/config';

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
 * Only `auto` targets' resources may receive a write grant; recommend and observe targets are read.
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
  const auto = config.targets.filter((t) => t.mode === 'auto');
  return {
    streams: { all: streamArns(config.targets), auto: streamArns(auto) },
    applications: { all: applicationArns(config.targets), auto: applicationArns(auto) },
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
