import { createVerifyTask } from '../workflow/tasks/verify';
import { assessmentPorts } from './assessment-ports';
import { lambdaHandler } from './runtime';

export const handler = lambdaHandler(createVerifyTask(assessmentPorts()));
