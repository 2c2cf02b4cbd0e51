import { alarmDefinitionsFor } from '../../lambdas/domain/alarm-definitions';
import { parseConfig } from '../../lambdas/domain/config';
import {
  CLOUDFORMATION_LIMITS,
  EVENT_PATTERN_MAX_CHARS,
  GROUP_RESOURCE_BUDGET,
  arnsPerStatement,
  SQS_POLICY_MAX_STATEMENTS,
  groupResourceCount,
  limitBreaches,
  planTargetGroups,
  predictStacks,
  ruleGroups,
} from '../../lambdas/domain/fleet-layout';
import { blindAlarmDefinitions } from '../../lambdas/domain/watchdog';
import { fleetConfig } from '../builders/fleet-config';

describe('target groups', () => {
  it('keeps a small fleet in the main stack, every alarm in one group', () => {
    const config = parseConfig(fleetConfig(3));
    const groups = planTargetGroups(config, 'eu-west-1');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.targets).toEqual(['pipeline-000', 'pipeline-001', 'pipeline-002']);
    expect(groups[0]!.alarms).toEqual(alarmDefinitionsFor(config));
    expect(groups[0]!.blindAlarms).toEqual(blindAlarmDefinitions(config));
  });

  it('places every target in exactly one group, in config order, each group within its budget', () => {
    const config = parseConfig(fleetConfig(500));
    const groups = planTargetGroups(config, undefined);
    expect(groups.flatMap((g) => g.targets)).toEqual(config.targets.map((t) => t.name));
    for (const group of groups) {
      const budget = group.index === 0 ? GROUP_RESOURCE_BUDGET.main : GROUP_RESOURCE_BUDGET.nested;
      expect(groupResourceCount(group)).toBeLessThanOrEqual(budget);
      expect(group.rules.length).toBeLessThan(SQS_POLICY_MAX_STATEMENTS);
      expect(group.rules.flat()).toEqual(group.alarms.map((a) => a.alarmName));
    }
    expect(groups.length).toBeGreaterThan(5);
  });

  it('leaves existing targets in their groups when targets are appended', () => {
    const before = planTargetGroups(parseConfig(fleetConfig(120)), undefined);
    const after = planTargetGroups(parseConfig(fleetConfig(200)), undefined);
    for (const group of before.slice(0, -1)) expect(after[group.index]!.targets).toEqual(group.targets);
    expect(after[before.length - 1]!.targets.slice(0, before.at(-1)!.targets.length)).toEqual(before.at(-1)!.targets);
  });

  it('fits the alarm ARNs of each rule in one event pattern, with the longest partition and region', () => {
    const names = Array.from({ length: 60 }, (_, i) => `StreamMedic-${'x'.repeat(40)}-${i}-app-lag`);
    const rules = ruleGroups(names, undefined);
    expect(rules.flat()).toEqual(names);
    for (const rule of rules) {
      const pattern = JSON.stringify({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: rule.map((name) => `arn:aws-us-gov:cloudwatch:ap-southeast-5x:123456789012:alarm:${name}`),
        detail: { state: { value: ['ALARM'] } },
      });
      expect(pattern.length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
    }
    expect(ruleGroups(names, 'eu-west-1').length).toBeLessThanOrEqual(rules.length);
  });
});

describe('deployment prediction', () => {
  it('finds nothing to refuse in a fleet the layout holds', () => {
    expect(limitBreaches(predictStacks(parseConfig(fleetConfig(80)), 'eu-west-1'))).toEqual([]);
  });

  it('names the stack and the quota a fleet too large for the main stack exceeds', () => {
    const breaches = limitBreaches(predictStacks(parseConfig(fleetConfig(500)), 'eu-west-1'));
    expect(breaches).toContainEqual(
      expect.objectContaining({
        stack: 'main',
        limit: expect.stringContaining('template body size'),
        allowed: CLOUDFORMATION_LIMITS.templateBytes,
      }),
    );
    expect(breaches.every((b) => b.predicted > b.allowed)).toBe(true);
  });

  it('counts the grants of auto targets against the IAM managed-policy quota, not those of observe targets', () => {
    const auto = parseConfig(fleetConfig(89));
    const observe = parseConfig({
      ...fleetConfig(89),
      targets: fleetConfig(89).targets.map((t) => ({ ...t, mode: 'observe' })),
    });
    const iamBreach = expect.objectContaining({ stack: 'main', limit: 'IAM managed policies per role', allowed: 10 });
    expect(limitBreaches(predictStacks(auto, 'eu-west-1'))).toContainEqual(iamBreach);
    expect(limitBreaches(predictStacks(observe, 'eu-west-1'))).not.toContainEqual(iamBreach);
  });

  it('lets 500 auto targets granted by tag deploy: no managed policy, and the main template within 1 MB', () => {
    const byTag = parseConfig(fleetConfig(500, { grantByTag: { key: 'stream-medic', value: 'payments' } }));
    const stacks = predictStacks(byTag, 'eu-west-1');
    expect(limitBreaches(stacks)).toEqual([]);
    expect(stacks[0]!.roleManagedPolicies).toBe(0);
    // The same fleet granted by ARN would need far more of the main template than its quota.
    const byArn = predictStacks(parseConfig(fleetConfig(500)), 'eu-west-1');
    expect(byArn[0]!.templateBytes - stacks[0]!.templateBytes).toBeGreaterThan(CLOUDFORMATION_LIMITS.templateBytes);
  });

  it('cuts grants into statements that get shorter as resource names get longer', () => {
    expect(arnsPerStatement(128)).toBeLessThan(arnsPerStatement(19));
    expect(arnsPerStatement(128)).toBeGreaterThan(0);
  });
});
