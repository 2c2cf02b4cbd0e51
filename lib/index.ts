/**
 * The construct library: `import { StreamRemediator } from 'stream-medic'`. The config is the same
 * document the CLI and the Lambdas read, validated by the same schema.
 */
export { StreamRemediator, DASHBOARD_WIDGETS } from './stream-remediator';
export type { StreamRemediatorProps, StreamRemediatorConfig } from './stream-remediator';
export { StreamMedicStack } from './stream-medic-stack';
export type { StreamMedicStackProps } from './stream-medic-stack';
export { RemediationWorkflow } from './remediation-workflow';
export type { RemediationWorkflowProps } from './remediation-workflow';
export { ConfigSchema, TargetSchema, PolicySchema, parseConfig } from '../lambdas/domain/config';
export type {
  StreamMedicConfig,
  StreamMedicConfigInput,
  TargetConfig,
  StreamTargetConfig,
  ApplicationTargetConfig,
  Policy,
} from '../lambdas/domain/config';
export { InvalidInputError } from '../lambdas/domain/validation';
