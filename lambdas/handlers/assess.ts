import { createAssessStep } from '../workflow/tasks/assess';
import { assessmentPorts } from './assessment-ports';
import { lambdaHandler } from './runtime';

export const handler = lambdaHandler(createAssessStep(assessmentPorts()));
