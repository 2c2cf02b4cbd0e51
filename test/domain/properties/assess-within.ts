import { Script, createContext } from 'node:vm';
import { assess, type AssessOptions } from '../../../lambdas/domain/engine';
import type { Report } from '../../../lambdas/domain/model';
import type { Snapshot } from '../../../lambdas/domain/snapshot';

/** An assessment takes milliseconds; this is three orders of magnitude of headroom, so only a hang trips it on a loaded machine. */
export const ASSESS_DEADLINE_MS = 5_000;

/**
 * Once one call has overrun, fast-check shrinks the case and every smaller case that still hangs
 * costs a whole deadline: a shorter one (still ten times a normal assessment) keeps that bounded.
 */
const DEADLINE_AFTER_OVERRUN_MS = 500;

let deadline = ASSESS_DEADLINE_MS;

export class AssessDeadlineError extends Error {
  override readonly name = 'AssessDeadlineError';
}

const context = createContext({ call: (): unknown => undefined });
const callInContext = new Script('call()');

/**
 * `assess` under a deadline. A runaway loop in the engine would otherwise grow an array until V8
 * aborts the whole jest process, taking every other suite's results with it; the vm timeout
 * interrupts it and the property fails with a counterexample instead.
 */
export function assessWithin(snapshot: Snapshot, options: AssessOptions): Report {
  context.call = () => assess(snapshot, options);
  try {
    return callInContext.runInContext(context, { timeout: deadline }) as Report;
  } catch (error) {
    if (/timed out/.test(String(error))) {
      const overrun = new AssessDeadlineError(
        `assess did not return within ${deadline} ms: a runaway loop (left alone it grows an array until V8 aborts)`,
      );
      deadline = DEADLINE_AFTER_OVERRUN_MS;
      throw overrun;
    }
    throw error;
  }
}
