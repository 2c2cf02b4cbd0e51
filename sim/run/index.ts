/**
 * Playing scenarios through the real workflow. Loading this module loads aws-cdk-lib, to synthesize
 * the state machine; the CLI loads it only for `simulate`.
 */
export { playScenario } from './player';
export type { ExecutionRecord, PlayEvent, PlayOptions, Playthrough, RoundRecord } from './player';
export { synthesizeWorkflow, synthesizedWorkflow } from './workflow-template';
export type { WorkflowEnvironment } from './workflow-template';
export { ExecutionScheduler, StuckExecutionError } from './execution-scheduler';
