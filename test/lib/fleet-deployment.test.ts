import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../../lambdas/domain/config';
import { CLOUDFORMATION_LIMITS, predictStacks } from '../../lambdas/domain/fleet-layout';
import { ALARM_STATUS_WIDGET_MAX_ALARMS, DASHBOARD_WIDGETS } from '../../lib/stream-remediator';
import { StreamMedicStack } from '../../lib/stream-medic-stack';
import { fleetConfig } from '../builders/fleet-config';
import { iamQuotaBreaches, rolePolicySizes } from './support/iam-quotas';

/**
 * A fleet too large for one template, synthesized as `cdk synth` writes it: the target groups go to
 * nested stacks, every template stays within CloudFormation's quotas, and `config validate`'s
 * prediction matches what was synthesized.
 */

interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
}

interface Written {
  readonly stack: string;
  readonly bytes: number;
  readonly template: Template;
}

/**
 * 60 targets granted by ARN (two stacks), and 120 granted by tag: past the 88 that listing every
 * ARN allows, so only grantByTag lets it deploy.
 */
describe.each([
  { TARGETS: 60, grants: 'by ARN', extra: {} },
  { TARGETS: 120, grants: 'by tag', extra: { grantByTag: { key: 'stream-medic', value: 'fleet' } } },
])('a fleet of $TARGETS stream+app targets granted $grants', ({ TARGETS, grants, extra }) => {
  const input = fleetConfig(TARGETS, extra);
  const outdir = mkdtempSync(join(tmpdir(), 'stream-medic-fleet-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  let main: Written;
  let nested: Written[];
  let stack: StreamMedicStack;

  beforeAll(() => {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new StreamMedicStack(app, 'Fleet', { config: input });
    const assembly = app.synth();
    const read = (name: string, path: string): Written => {
      const body = readFileSync(path, 'utf8');
      return { stack: name, bytes: Buffer.byteLength(body), template: JSON.parse(body) as Template };
    };
    main = read('main', join(assembly.directory, assembly.getStackByName('Fleet').templateFile));
    nested = stack.remediator.nestedStacks.map((n, index) =>
      read(`target group ${index + 2}`, join(assembly.directory, n.templateFile)),
    );
  }, 300_000);

  const resourcesOf = (written: Written, type?: string) =>
    Object.values(written.template.Resources).filter((r) => type === undefined || r.Type === type);

  it('spreads its target groups over nested stacks, with one workflow, ledger and topic for the fleet', () => {
    expect(nested.length).toBeGreaterThan(0);
    expect(resourcesOf(main, 'AWS::CloudFormation::Stack')).toHaveLength(nested.length);
    const all = [main, ...nested];
    for (const type of ['AWS::StepFunctions::StateMachine', 'AWS::DynamoDB::Table', 'AWS::SNS::Topic']) {
      expect(all.flatMap((w) => resourcesOf(w, type))).toHaveLength(1);
    }
  });

  it('keeps every template within CloudFormation quotas', () => {
    for (const written of [main, ...nested]) {
      expect(resourcesOf(written).length).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.resources);
      expect(written.bytes).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.templateBytes);
      expect(Object.keys(written.template.Outputs ?? {}).length).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.outputs);
      expect(Object.keys(written.template.Parameters ?? {}).length).toBeLessThanOrEqual(
        CLOUDFORMATION_LIMITS.parameters,
      );
    }
  });

  it("keeps every role's policies within IAM's size quotas", () => {
    const sizes = rolePolicySizes(main.template, { account: '123456789012', region: 'ap-southeast-5' });
    // By ARN the grants spill into managed policies; by tag every grant is one ARN pattern.
    expect(sizes.some((s) => s.managedChars.length > 0)).toBe(grants === 'by ARN');
    expect(iamQuotaBreaches(sizes)).toEqual([]);
    const predicted = predictStacks(parseConfig(input), undefined)[0]!.roleManagedPolicies!;
    expect(Math.max(...sizes.map((s) => s.managedChars.length))).toBeLessThanOrEqual(predicted);
  });

  it('creates each alarm of each target exactly once, across the stacks', () => {
    const names = [main, ...nested].flatMap((w) =>
      resourcesOf(w, 'AWS::CloudWatch::Alarm').map((r) => r.Properties!['AlarmName'] as string),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const target of input.targets) {
      expect(names).toContain(`StreamMedic-${target.name}-app-lag`);
      expect(names).toContain(`StreamMedicWatch-${target.name}-blind-app-lag`);
    }
  });

  it('has as many resources in each stack as config validate predicts', () => {
    const predicted = predictStacks(parseConfig(input), undefined);
    expect(predicted.map((p) => p.stack)).toEqual([main, ...nested].map((w) => w.stack));
    for (const [index, written] of nested.entries()) {
      expect(resourcesOf(written).length).toBe(predicted[index + 1]!.resources);
    }
    const mainTargetResources =
      stack.remediator.targetGroups[0]!.alarms.length +
      stack.remediator.targetGroups[0]!.blindAlarms.length +
      stack.remediator.targetGroups[0]!.rules.length;
    expect(predicted[0]!.targetResources).toBe(mainTargetResources);
    expect(resourcesOf(main).length).toBeLessThanOrEqual(predicted[0]!.resources);
  });

  it('predicts each template size from above, within a quarter', () => {
    const predicted = predictStacks(parseConfig(input), undefined);
    for (const [index, written] of [main, ...nested].entries()) {
      expect(predicted[index]!.templateBytes).toBeGreaterThanOrEqual(written.bytes);
      expect(predicted[index]!.templateBytes).toBeLessThanOrEqual(written.bytes * 1.25);
    }
  });

  it("shows every alarm on its own stack's dashboard, at most 100 a widget", () => {
    let split = 0;
    for (const written of [main, ...nested]) {
      const dashboards = resourcesOf(written, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0]!.Properties!['DashboardBody']);
      const widgets = body.split('"type\\":\\"alarm\\"').slice(1);
      // A widget's alarm list runs from its "alarms":[ to the quote and bracket that close it.
      const shown = widgets.map(
        (widget) => ((widget.split('\\"alarms\\":[')[1] ?? '').split('\\"]')[0]!.match(/Fn::GetAtt/g) ?? []).length,
      );
      for (const alarms of shown) expect(alarms).toBeLessThanOrEqual(ALARM_STATUS_WIDGET_MAX_ALARMS);
      const total = shown.reduce((sum, alarms) => sum + alarms, 0);
      expect(widgets).toHaveLength(Math.ceil(total / ALARM_STATUS_WIDGET_MAX_ALARMS));
      const title = written === main ? DASHBOARD_WIDGETS.alarms : `${DASHBOARD_WIDGETS.alarms}, ${written.stack}`;
      if (total > ALARM_STATUS_WIDGET_MAX_ALARMS) {
        expect(body).toContain(`${title} 101-200`);
        split += 1;
      }
      // Alarms are shown by reference within their own stack: no ARN of another stack's alarm.
      expect(body).not.toContain(':alarm:');
      const alarmRefs = (body.match(/Fn::GetAtt/g) ?? []).length;
      expect(alarmRefs).toBeGreaterThanOrEqual(resourcesOf(written, 'AWS::CloudWatch::Alarm').length);
    }
    // Every fleet here has a stack with more alarms than one widget shows, so the split is exercised.
    expect(split).toBeGreaterThan(0);
  });
});
