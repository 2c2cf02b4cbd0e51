import { createIntakeTask } from '../workflow/tasks/intake';
import { lambdaHandler, requireEnv, telemetry } from './runtime';

export const handler = lambdaHandler(createIntakeTask({ defaultRegion: requireEnv('AWS_REGION'), telemetry }));
