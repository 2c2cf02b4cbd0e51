import { createIntakeStep } from '../workflow/tasks/intake';
import { lambdaHandler, requireEnv, telemetry } from './runtime';

export const handler = lambdaHandler(createIntakeStep({ defaultRegion: requireEnv('AWS_REGION'), telemetry }));
