import { InMemoryTargetLock as SimulatorTargetLock } from '../../sim/adapters';
import { FailureQueue } from './failures';

/** The simulator's in-memory lock, with failures a test can queue. */
export class InMemoryTargetLock extends SimulatorTargetLock {
  readonly failures = new FailureQueue<'acquire' | 'release' | 'ownerOf'>();

  override async acquire(target: string, owner: string, ttlSeconds: number): Promise<boolean> {
    this.failures.throwIfQueued('acquire');
    return super.acquire(target, owner, ttlSeconds);
  }

  override async release(target: string, owner: string): Promise<void> {
    this.failures.throwIfQueued('release');
    await super.release(target, owner);
  }

  override async ownerOf(target: string): Promise<string | undefined> {
    this.failures.throwIfQueued('ownerOf');
    return super.ownerOf(target);
  }
}
