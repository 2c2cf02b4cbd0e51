import type { Clock, TargetLock } from '../../lambdas/ports';
import { FailureQueue } from './failures';

/** The per-target lease, with expiry read from the clock as the DynamoDB lock does. */
export class InMemoryTargetLock implements TargetLock {
  readonly held = new Map<string, { owner: string; expiresAt: number }>();
  readonly failures = new FailureQueue<'acquire' | 'release' | 'ownerOf'>();

  constructor(private readonly clock: Clock) {}

  async acquire(target: string, owner: string, ttlSeconds: number): Promise<boolean> {
    this.failures.throwIfQueued('acquire');
    const now = this.clock.now().getTime();
    const current = this.held.get(target);
    if (current && current.owner !== owner && current.expiresAt > now) return false;
    this.held.set(target, { owner, expiresAt: now + ttlSeconds * 1000 });
    return true;
  }

  async release(target: string, owner: string): Promise<void> {
    this.failures.throwIfQueued('release');
    if (this.held.get(target)?.owner === owner) this.held.delete(target);
  }

  async ownerOf(target: string): Promise<string | undefined> {
    this.failures.throwIfQueued('ownerOf');
    const current = this.held.get(target);
    return current && current.expiresAt > this.clock.now().getTime() ? current.owner : undefined;
  }
}
