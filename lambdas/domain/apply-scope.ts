import type { RunContext, WorkStep } from './run-state';
import { CHANGING_MODES, modeMayChange } from './vocabulary';

/**
 * A step that would change something the run's target may not change: a dry run, a target not in
 * `auto` mode, or a resource that is not the target's own. IAM cannot refuse these for
 * `kinesis:UpdateShardCount`, which supports no resource-level permissions, so this check does.
 */
export class OutOfScopeError extends Error {
  override readonly name = 'OutOfScopeError';
  constructor(
    /** The field of the step or run that is out of scope, e.g. `steps[0].streamName`. */
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/**
 * Throws {@link OutOfScopeError} unless the step may be applied for this run: a live run of an `auto`
 * target (or an `approve` target, whose run reaches the apply step only with an approved plan), on the stream or application its config names. Called before any changing AWS call.
 */
export function assertStepInScope(
  run: Pick<RunContext, 'target' | 'dryRun' | 'config'>,
  step: WorkStep,
  index: number,
): void {
  if (run.config.name !== run.target) {
    throw new OutOfScopeError('run.config.name', `is "${run.config.name}", not the run's target "${run.target}"`);
  }
  if (run.dryRun) throw new OutOfScopeError('run.dryRun', 'a dry run changes nothing');
  if (!modeMayChange(run.config.mode)) {
    throw new OutOfScopeError(
      'run.config.mode',
      `target "${run.target}" is in ${run.config.mode} mode, not ${CHANGING_MODES.join(' or ')}`,
    );
  }
  if ('streamName' in step) {
    const own = run.config.stream?.name;
    if (step.streamName !== own) {
      throw new OutOfScopeError(
        `steps[${index}].streamName`,
        `"${step.streamName}" is not the stream of target "${run.target}"${own ? ` ("${own}")` : ' (it has none)'}`,
      );
    }
    return;
  }
  const own = run.config.application?.name;
  if (step.applicationName !== own) {
    throw new OutOfScopeError(
      `steps[${index}].applicationName`,
      `"${step.applicationName}" is not the application of target "${run.target}"${own ? ` ("${own}")` : ' (it has none)'}`,
    );
  }
}
