import { createAssessStep } from '../assess';
import { assessmentPorts } from './assessment-ports';
import { lambdaHandler } from './runtime';

export const handler = lambdaHandler(createAssessStep(assessmentPorts()));
