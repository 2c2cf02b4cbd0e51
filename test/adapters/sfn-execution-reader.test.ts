import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnExecutionReader } from '../../lambdas/adapters/sfn-execution-reader';
import { awsError } from './support/aws-errors';

const sfn = mockClient(SFNClient);
const reader = new SfnExecutionReader(new SFNClient({ region: 'eu-west-1' }));
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:StreamMedicWorkflow:run-1';

beforeEach(() => sfn.reset());

describe('SfnExecutionReader', () => {
  it("returns the execution's input from DescribeExecution", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION }).resolves({
      executionArn: EXECUTION,
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:StreamMedicWorkflow',
      status: 'TIMED_OUT',
      startDate: new Date(),
      input: '{"target":"orders"}',
    });

    await expect(reader.inputOf(EXECUTION)).resolves.toBe('{"target":"orders"}');
  });

  it('fails naming the execution when DescribeExecution returns no input', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'FAILED' } as never);

    await expect(reader.inputOf(EXECUTION)).rejects.toMatchObject({
      name: 'ResourceNotFoundError',
      resource: EXECUTION,
    });
  });

  it.each([
    ['AccessDeniedException', 400, 'AccessDeniedError'],
    ['ThrottlingException', 400, 'ThrottlingError'],
    ['InternalServerError', 500, 'ServiceUnavailableError'],
  ])('maps %s (HTTP %i) to %s', async (name, status, expected) => {
    sfn.on(DescribeExecutionCommand).rejects(awsError(name, `${name} from AWS`, status));

    await expect(reader.inputOf(EXECUTION)).rejects.toMatchObject({ name: expected, action: 'DescribeExecution' });
  });
});
