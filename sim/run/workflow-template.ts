/**
 * The state machine the simulator runs: the one CDK synthesizes for the deployable stack, read from
 * the template by the local workflow runner. Synthesis takes most of a second, so it happens once per
 * process, with a stand-in target; the config enters the definition in one place only, the payload of
 * the intake task, so a scenario runs it with its own config handed to that task instead.
 */
import { App } from 'aws-cdk-lib';
import type { StreamMedicConfigInput } from '../../lambdas/domain/config';
import { loadWorkflow, type LocalWorkflow } from '../../lambdas/workflow/local-runner';
import { StreamMedicStack } from '../../lib/stream-medic-stack';

export interface WorkflowEnvironment {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
}

/** Any valid config will do: each scenario hands the intake task its own. */
const SYNTHESIS_CONFIG: StreamMedicConfigInput = {
  targets: [
    {
      name: 'synthesized',
      mode: 'auto',
      stream: { name: 'synthesized-stream' },
      application: { name: 'synthesized-app' },
    },
  ],
};

const cache = new Map<string, LocalWorkflow>();

/**
 * Synthesizes the StreamMedic stack and loads its state machine. Lambda bundling is skipped (the
 * local run replaces every function with its task core) and so is CloudFormation's template
 * validation, which takes seconds and checks nothing the local run depends on.
 */
export function synthesizeWorkflow(config: StreamMedicConfigInput, env: WorkflowEnvironment = {}): LocalWorkflow {
  const region = env.region ?? 'us-east-1';
  const account = env.account ?? '123456789012';
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new StreamMedicStack(app, 'StreamMedicSimulated', { config, env: { region, account } });
  const template = app.synth().getStackByName(stack.stackName).template as unknown;
  return loadWorkflow(template, { region, account });
}

/** The synthesized workflow, made once per process and environment. */
export function synthesizedWorkflow(env: WorkflowEnvironment = {}): LocalWorkflow {
  const key = `${env.region ?? 'us-east-1'}/${env.account ?? '123456789012'}`;
  let workflow = cache.get(key);
  if (!workflow) {
    workflow = synthesizeWorkflow(SYNTHESIS_CONFIG, env);
    cache.set(key, workflow);
  }
  return workflow;
}
