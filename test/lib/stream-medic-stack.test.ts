import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StreamMedicStack } from '../../lib/stream-medic-stack';

const EXAMPLE_CONFIG = join(__dirname, '..', '..', 'stream-medic.config.json');

let stack: StreamMedicStack;
let template: Template;

beforeAll(() => {
  // Template assertions do not need the Lambda bundles; `npm run synth` builds them for real.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new StreamMedicStack(app, 'StreamMedic', { config: JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) });
  template = Template.fromStack(stack);
});

function logicalIdOf(type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
}

describe('StreamMedicStack from the checked-in example config', () => {
  it('creates the alarms of all three example targets', () => {
    // orders (stream + app): 7, clickstream (stream only): 4, fraud-scoring (app only): 4.
    const targetAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp('^StreamMedic-') },
    });
    expect(Object.keys(targetAlarms)).toHaveLength(15);
  });

  it('outputs the state machine ARN', () => {
    template.hasOutput('StateMachineArn', { Value: { Ref: logicalIdOf('AWS::StepFunctions::StateMachine') } });
  });

  it('outputs the topic ARN', () => {
    template.hasOutput('TopicArn', { Value: { Ref: logicalIdOf('AWS::SNS::Topic') } });
  });

  it('leaves no AwsSolutions finding unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});
