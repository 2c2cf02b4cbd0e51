import { ACTION_GUARDRAILS } from '../../lambdas/domain/guardrails';
import { GUARDRAILS } from '../../lambdas/domain/vocabulary';

describe('the guardrails of an action', () => {
  it('are checked in one declared order: the resource as it is, its bounds, the backlog, then the cooldown', () => {
    expect(ACTION_GUARDRAILS.map((g) => g.guardrail)).toEqual([
      'resource-state',
      'resource-state',
      'on-demand',
      'resource-state',
      'snapshots-disabled',
      'builtin-autoscaling',
      'bounds',
      'kpu-limit',
      'backlog-draining',
      'reverted',
      'cooldown',
    ]);
  });

  it('speak the guardrail vocabulary, and only the ones about the resource also re-check refused drafts', () => {
    for (const { guardrail } of ACTION_GUARDRAILS) expect(GUARDRAILS).toContain(guardrail);
    const aboutResource = ACTION_GUARDRAILS.filter((g) => g.aboutResource).map((g) => g.guardrail);
    expect(new Set(aboutResource)).toEqual(
      new Set(['resource-state', 'on-demand', 'snapshots-disabled', 'builtin-autoscaling']),
    );
  });
});
