import { assessmentOf, dispositionOf } from '../../lambdas/domain/disposition';
import { composeNotification } from '../../lambdas/domain/notification';
import { FLEET_SCOPE, pauseFor, type Pause } from '../../lambdas/domain/pause';
import { report, runContext } from '../fakes/runs';

const fleet: Pause = { scope: FLEET_SCOPE, by: 'alice', reason: 'failover drill', at: '2026-11-21T09:00:00.000Z' };
const own: Pause = { scope: 'orders', by: 'bob', reason: 'bad deploy of orders', at: '2026-11-21T09:30:00.000Z' };

describe('pauseFor', () => {
  it("holds a target to its own pause first, then to the fleet's, and to no other target's", () => {
    expect(pauseFor('orders', [fleet, own])).toBe(own);
    expect(pauseFor('payments', [fleet, own])).toBe(fleet);
    expect(pauseFor('payments', [own])).toBeUndefined();
  });
});

describe('the disposition under a pause', () => {
  it('turns a plan that would be applied into "paused"', () => {
    expect(dispositionOf(report(), runContext({ mode: 'auto' }))).toBe('apply');
    expect(dispositionOf(report(), runContext({ mode: 'auto' }), { pause: fleet })).toBe('paused');
  });

  it('keeps the words of every disposition that changes nothing anyway', () => {
    expect(dispositionOf(report(), runContext({ mode: 'recommend' }), { pause: fleet })).toBe('recommend-mode');
    expect(dispositionOf(report(), runContext({ mode: 'observe' }), { pause: fleet })).toBe('observe-mode');
    expect(dispositionOf(report(), runContext({ dryRun: true }), { pause: fleet })).toBe('dry-run');
    expect(dispositionOf(report({ actions: [] }), runContext(), { pause: fleet })).toBe('nothing-to-do');
  });
});

describe('the message while paused', () => {
  it('says who paused and why even when nothing was planned', () => {
    const run = runContext({ mode: 'auto' });
    const healthy = report({ actions: [], diagnosis: { cause: 'HEALTHY', severity: 'info', evidence: [] } });
    const assessment = assessmentOf(healthy, run, new Date('2026-11-21T10:15:02.000Z'), { pause: fleet });

    const message = composeNotification({ run, assessment, region: 'eu-west-1' });

    expect(message.attributes['outcome']).toBe('nothing-to-do');
    expect(message.body).toContain(
      'StreamMedic is PAUSED for every target by alice since 2026-11-21T09:00:00.000Z: failover drill.',
    );
    expect(message.attributes['pausedBy']).toBe('alice');
  });

  it('asks a person to act on a withheld fix, and says how to resume a target', () => {
    const run = runContext({ mode: 'auto' });
    const assessment = assessmentOf(report(), run, new Date('2026-11-21T10:15:02.000Z'), { pause: own });

    const message = composeNotification({ run, assessment, region: 'eu-west-1' });

    expect(message.body.split('\n')[0]).toBe(
      'ACTION REQUIRED: StreamMedic is paused (bad deploy of orders): nothing was changed; apply the plan by hand or resume.',
    );
    expect(message.body).toContain('(stream-medic resume --target orders)');
    expect(message.body).toContain('- scale stream orders-stream from 2 to 7 shards in 2 calls');
  });
});
