import type { Command } from 'commander';
import type { StreamMedicConfig } from '../../lambdas/domain/config';
import { resolveTarget } from '../../lambdas/domain/engine';
import {
  forConfigTarget,
  liveRequestFrom,
  namesOnlySnapshot,
  wantsLive,
  type LiveOptions,
  type LiveRequest,
} from './live-capture';

/** What errors about the live snapshot name as their source, where a file name would go. */
export const LIVE_SOURCE = 'live capture';

/**
 * Where `diagnose` gets its snapshot: a file (`--input`) or the live account (`--stream`/`--app`),
 * exactly one of them. Returns the live request, or undefined for a file; a usage error otherwise.
 */
export function liveDiagnoseRequest(
  options: LiveOptions & { readonly input?: string },
  command: Command,
): LiveRequest | undefined {
  const live = wantsLive(options);
  if (options.input !== undefined && live) {
    command.error(
      '--input reads a saved snapshot and --stream/--app read the live account: give one or the other, not both',
    );
  }
  if (options.input === undefined && !live) {
    command.error(
      "required option '-i, --input <file>' not specified (or read the live account with --stream <name> and/or --app <name>)",
    );
  }
  for (const flag of ['minutes', 'region'] as const) {
    if (!live && options[flag] !== undefined) {
      command.error(`--${flag} applies to a live read (--stream/--app), not to --input`);
    }
  }
  return live ? liveRequestFrom(options) : undefined;
}

/**
 * The live request for the config's target, found from the names alone before anything is read,
 * so a wrong `--target` costs no AWS calls and the target's other resource is read too.
 */
export function liveRequestForConfig(
  request: LiveRequest,
  config: StreamMedicConfig,
  targetName: string | undefined,
  now: Date,
): LiveRequest {
  const { target } = resolveTarget(namesOnlySnapshot(request, now), config, targetName);
  return forConfigTarget(request, target, config.targets.indexOf(target), config.region);
}
