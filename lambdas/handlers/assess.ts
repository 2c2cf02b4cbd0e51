import { createAssessTask } from '../workflow/tasks/assess';
import { assessmentPorts } from './assessment-ports';
import { lambdaHandler } from './runtime';

export const handler = lambdaHandler(createAssessTask(assessmentPorts()));
