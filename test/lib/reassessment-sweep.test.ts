import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type StreamMedicConfigInput } from '../../lambdas/domain/config';
import { SWEEP_ENV, sweepPlan } from '../../lambdas/workflow/sweep';
import { StreamRemediator } from '../../lib/stream-remediator';

const CONFIG: StreamMedicConfigInput = {
  targets: [
    { name: 'orders', mode: 'auto', stream: { name: 'orders-stream' }, application: { name: 'orders-enricher' } },
    { name: 'clicks', mode: 'recommend', stream: { name: 'clicks-stream' }, policy: { reassessMinutes: 3 } },
    { name: 'audit', mode: 'observe', stream: { name: 'audit-stream' } },
  ],
};

function synthesize(config: StreamMedicConfigInput): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  new StreamRemediator(stack, 'StreamMedic', { config });
  return Template.fromStack(stack);
}

function sweepFunctionId(template: Template): string {
  const found = Object.keys(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ [SWEEP_ENV.stateMachineArn]: Match.anyValue() }) } },
    }),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('the re-assessment sweep in the template', () => {
  const template = synthesize(CONFIG);

  it("invokes the sweep function on an EventBridge Scheduler rate of the shortest target's reassessMinutes", () => {
    const fn = sweepFunctionId(template);
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    expect(Object.keys(schedules)).toHaveLength(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(3 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 180, MaximumRetryAttempts: 2 },
      }),
    });
  });

  it('hands the sweep the targets to look after, as sweepPlan works them out from the config', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as {
      Properties: { Target: { Input: string } };
    };
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual(sweepPlan(parseConfig(CONFIG)));
    expect(JSON.parse(schedule.Properties.Target.Input).targets.map((t: { target: string }) => t.target)).toEqual([
      'orders',
      'clicks',
    ]);
  });

  it('gives the sweep function the state machine to start, and alarms on its errors', () => {
    const fn = sweepFunctionId(template);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [SWEEP_ENV.stateMachineArn]: { Ref: Match.stringLikeRegexp('StateMachine') } }),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
    });
  });

  it('lets only EventBridge Scheduler of this account assume the schedule role', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });
});
