/**
 * Who runs an operator command (pause, resume, approve, deny), as AWS knows them: the ARN STS
 * GetCallerIdentity returns for the credentials the command runs with. `--by` is a name for people
 * and is recorded next to the ARN, never instead of it. GetCallerIdentity needs no permission and
 * cannot be denied (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
 */
import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { InvalidInputError } from '../../lambdas/domain/validation';
import type { CliIo } from '../io';
import { explained } from './aws-failure';

/** The caller's verified identity. */
export interface OperatorIdentity {
  /** The ARN of the IAM user, assumed-role session or federated user calling. */
  callerArn(): Promise<string>;
}

export class StsOperatorIdentity implements OperatorIdentity {
  constructor(private readonly sts: STSClient) {}

  async callerArn(): Promise<string> {
    const { Arn } = await this.sts.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new Error('STS GetCallerIdentity returned no Arn');
    return Arn;
  }
}

/** Who acts, as the ledger records it: the name given and the verified ARN. */
export interface Operator {
  readonly by: string;
  readonly operatorArn: string;
}

/**
 * The operator of a command: `--by` (else the local user name) as the name people read, and the
 * caller's ARN from STS. IAM (the operators' policy) decides who may act at all; this records who did.
 */
export async function identifyOperator(
  options: { readonly by?: string },
  io: CliIo,
  identity: OperatorIdentity,
  region: () => Promise<string | undefined>,
): Promise<Operator> {
  const by = (options.by ?? io.env['USER'] ?? userInfo().username).trim();
  if (!by) throw new InvalidInputError('--by', 'must name who acts');
  const operatorArn = await explained(
    { action: 'GetCallerIdentity', iamAction: 'sts:GetCallerIdentity', resource: 'the caller' },
    region,
    () => identity.callerArn(),
  );
  return { by, operatorArn };
}
