/**
 * Named failures of the ports. Lambda reports a thrown error's `name` as its error type, so the state
 * machine can `Retry` and `Catch` these by name; `retryable` says whether trying the same call again
 * later can succeed. No AWS SDK import: the mapping reads exception names only, so the CDK stack and
 * the CLI can import this file too.
 */

/** Which call failed on what, for the message and for logs. */
export interface ErrorContext {
  /** The API action, e.g. `UpdateShardCount`. */
  readonly action: string;
  /** What it acted on, e.g. `stream/orders-stream`. */
  readonly resource?: string;
}

export const ERROR_NAMES = [
  'ThrottlingError',
  'LimitExceededError',
  'QuotaExceededError',
  'ResourceInUseError',
  'ConcurrentModificationError',
  'ResourceNotFoundError',
  'AccessDeniedError',
  'InvalidRequestError',
  'ServiceUnavailableError',
] as const;
export type PortErrorName = (typeof ERROR_NAMES)[number];

/**
 * Which retrier of the state machine retries a failure: `transient` for AWS or the resource being
 * busy right now (short backoff), `rate-limit` for Kinesis' LimitExceededException, which it answers
 * both for its daily reshard quota and for control-plane rate limits that clear within minutes
 * (longer backoff; the quota does not clear, and the failure is reported after), and `contested` for
 * a stale application version, retried once or twice with a fresh read.
 */
export type WorkflowRetrier = 'transient' | 'rate-limit' | 'contested';

/**
 * How each named failure is handled, in one table: whether the same call can succeed later (each
 * error class's `retryable` flag) and which state machine retrier, if any, retries it. A failure no
 * retrier takes is caught and reported.
 */
export const ERROR_HANDLING: Readonly<
  Record<PortErrorName, { readonly retryable: boolean; readonly retrier?: WorkflowRetrier }>
> = {
  ThrottlingError: { retryable: true, retrier: 'transient' },
  LimitExceededError: { retryable: false, retrier: 'rate-limit' },
  QuotaExceededError: { retryable: false },
  ResourceInUseError: { retryable: true, retrier: 'transient' },
  ConcurrentModificationError: { retryable: false, retrier: 'contested' },
  ResourceNotFoundError: { retryable: false },
  AccessDeniedError: { retryable: false },
  InvalidRequestError: { retryable: false },
  ServiceUnavailableError: { retryable: true, retrier: 'transient' },
};

/** The names a workflow task may `Retry` with backoff; every other name should be caught and reported. */
export const RETRYABLE_ERROR_NAMES: readonly PortErrorName[] = ERROR_NAMES.filter(
  (name) => ERROR_HANDLING[name].retryable,
);

/** The error names one retrier of the state machine retries. */
export function errorsRetriedBy(retrier: WorkflowRetrier): PortErrorName[] {
  return ERROR_NAMES.filter((name) => ERROR_HANDLING[name].retrier === retrier);
}

/** Base of every named port failure. */
export abstract class PortError extends Error {
  abstract override readonly name: PortErrorName;
  abstract readonly retryable: boolean;
  readonly action: string;
  readonly resource: string | undefined;
  /** The AWS exception name this was mapped from; absent when the adapter refused before calling. */
  readonly awsErrorName: string | undefined;

  constructor(message: string, context: ErrorContext, options: { cause?: unknown; awsErrorName?: string } = {}) {
    super(`${context.action}${context.resource ? ` on ${context.resource}` : ''}: ${message}`, {
      cause: options.cause,
    });
    this.action = context.action;
    this.resource = context.resource;
    this.awsErrorName = options.awsErrorName;
  }
}

/** The caller is sending requests too fast; back off and retry. */
export class ThrottlingError extends PortError {
  override readonly name = 'ThrottlingError';
  readonly retryable = ERROR_HANDLING.ThrottlingError.retryable;
}

/**
 * A quota was reached (e.g. 10 UpdateShardCount calls per stream per rolling day, or the shard limit).
 * Not retryable: the quota frees up over hours, not within a workflow's retry window.
 */
export class LimitExceededError extends PortError {
  override readonly name = 'LimitExceededError';
  readonly retryable = ERROR_HANDLING.LimitExceededError.retryable;
}

/**
 * A resource quota that no wait clears: Managed Flink's `LimitExceededException` on UpdateApplication
 * ("the number of allowed resources has been exceeded"), the application's KPU limit. Not retried:
 * the next plan asks for less (domain/kpu-quota.ts).
 */
export class QuotaExceededError extends PortError {
  override readonly name = 'QuotaExceededError';
  readonly retryable = ERROR_HANDLING.QuotaExceededError.retryable;
}

/** The resource is busy (a stream `UPDATING`, an application mid-update); wait and try again. */
export class ResourceInUseError extends PortError {
  override readonly name = 'ResourceInUseError';
  readonly retryable = ERROR_HANDLING.ResourceInUseError.retryable;
}

/**
 * Someone changed the resource since it was read (a stale application version id). Not retryable as
 * is: the same request would fail again; describe the resource and plan anew.
 */
export class ConcurrentModificationError extends PortError {
  override readonly name = 'ConcurrentModificationError';
  readonly retryable = ERROR_HANDLING.ConcurrentModificationError.retryable;
}

export class ResourceNotFoundError extends PortError {
  override readonly name = 'ResourceNotFoundError';
  readonly retryable = ERROR_HANDLING.ResourceNotFoundError.retryable;
}

/** Missing IAM permission, a KMS key the role cannot use, or bad credentials. */
export class AccessDeniedError extends PortError {
  override readonly name = 'AccessDeniedError';
  readonly retryable = ERROR_HANDLING.AccessDeniedError.retryable;
}

/** The request itself is wrong (out of range, invalid argument); refused by AWS or before calling it. */
export class InvalidRequestError extends PortError {
  override readonly name = 'InvalidRequestError';
  readonly retryable = ERROR_HANDLING.InvalidRequestError.retryable;
}

/** AWS failed on its side (5xx); the same call may succeed a little later. */
export class ServiceUnavailableError extends PortError {
  override readonly name = 'ServiceUnavailableError';
  readonly retryable = ERROR_HANDLING.ServiceUnavailableError.retryable;
}

type PortErrorClass = new (
  message: string,
  context: ErrorContext,
  options?: { cause?: unknown; awsErrorName?: string },
) => PortError;

/** Names used by the services StreamMedic calls (Kinesis, Kinesis Analytics v2, CloudWatch, SNS, DynamoDB, STS). */
const ERROR_CLASS_BY_AWS_NAME: Readonly<Record<string, PortErrorClass>> = {
  ThrottlingException: ThrottlingError,
  Throttling: ThrottlingError,
  ThrottledException: ThrottlingError,
  TooManyRequestsException: ThrottlingError,
  RequestLimitExceeded: ThrottlingError,
  ProvisionedThroughputExceededException: ThrottlingError,
  KMSThrottlingException: ThrottlingError,
  LimitExceededException: LimitExceededError,
  LimitExceeded: LimitExceededError,
  ResourceInUseException: ResourceInUseError,
  ConcurrentModificationException: ConcurrentModificationError,
  ResourceNotFoundException: ResourceNotFoundError,
  NotFoundException: ResourceNotFoundError,
  NotFound: ResourceNotFoundError,
  ResourceNotFound: ResourceNotFoundError,
  AccessDeniedException: AccessDeniedError,
  AccessDenied: AccessDeniedError,
  AuthorizationErrorException: AccessDeniedError,
  NotAuthorized: AccessDeniedError,
  NotAuthorizedException: AccessDeniedError,
  UnauthorizedOperation: AccessDeniedError,
  UnrecognizedClientException: AccessDeniedError,
  InvalidClientTokenId: AccessDeniedError,
  ExpiredTokenException: AccessDeniedError,
  ExpiredToken: AccessDeniedError,
  KMSAccessDeniedException: AccessDeniedError,
  KMSAccessDenied: AccessDeniedError,
  KmsAccessDeniedException: AccessDeniedError,
  // The topic's or stream's key is disabled, missing or not opted in: the role cannot use it.
  KMSDisabledException: AccessDeniedError,
  KMSInvalidStateException: AccessDeniedError,
  KMSNotFoundException: AccessDeniedError,
  KMSOptInRequired: AccessDeniedError,
  InvalidSecurityException: AccessDeniedError,
  InvalidArgumentException: InvalidRequestError,
  InvalidParameterException: InvalidRequestError,
  InvalidParameterValueException: InvalidRequestError,
  InvalidParameterValue: InvalidRequestError,
  InvalidParameterCombination: InvalidRequestError,
  InvalidParameterCombinationException: InvalidRequestError,
  MissingRequiredParameter: InvalidRequestError,
  MissingRequiredParameterException: InvalidRequestError,
  InvalidRequestException: InvalidRequestError,
  InvalidApplicationConfigurationException: InvalidRequestError,
  UnsupportedOperationException: InvalidRequestError,
  ValidationException: InvalidRequestError,
  InvalidNextToken: InvalidRequestError,
  ExpiredNextTokenException: InvalidRequestError,
  // CloudWatch's 500: "request processing has failed due to some unknown error, exception, or failure".
  InternalServiceFault: ServiceUnavailableError,
  InternalFailure: ServiceUnavailableError,
  InternalFailureException: ServiceUnavailableError,
  InternalServerError: ServiceUnavailableError,
  InternalServerErrorException: ServiceUnavailableError,
  InternalErrorException: ServiceUnavailableError,
  ServiceUnavailable: ServiceUnavailableError,
  ServiceUnavailableException: ServiceUnavailableError,
};

/**
 * Read actions whose `LimitExceededException` is a request-rate limit, not a quota: Kinesis reports
 * DescribeStreamSummary and ListShards throttling that way. Retrying shortly does help there.
 */
const READ_ACTION = /^(Describe|List|Get)/;

/** Actions whose `LimitExceededException` is a resource quota: Managed Flink's application KPU limit. */
const QUOTA_ACTION = /^UpdateApplication$/;

interface AwsLikeError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: { readonly throttling?: unknown };
}

/**
 * Turns an AWS SDK exception into the named port error the workflow understands, keeping the original
 * message (and the exception as `cause`) and naming the action and resource. Errors that are already
 * port errors, and errors that are not from AWS (a TypeError in our own code), are returned unchanged
 * so a bug is never disguised as a service failure.
 */
export function mapAwsError(error: unknown, context: ErrorContext): Error {
  if (error instanceof PortError) return error;
  if (typeof error !== 'object' || error === null) {
    return new Error(`${context.action}: ${String(error)}`);
  }
  const aws = error as AwsLikeError;
  const awsName = typeof aws.name === 'string' ? aws.name : '';
  const message = typeof aws.message === 'string' && aws.message ? aws.message : awsName || 'unknown error';
  const options = { cause: error, awsErrorName: awsName };

  let ErrorClass = ERROR_CLASS_BY_AWS_NAME[awsName];
  if (ErrorClass === LimitExceededError && READ_ACTION.test(context.action)) ErrorClass = ThrottlingError;
  if (ErrorClass === LimitExceededError && QUOTA_ACTION.test(context.action)) ErrorClass = QuotaExceededError;
  if (!ErrorClass && aws.$retryable?.throttling === true) ErrorClass = ThrottlingError;
  if (!ErrorClass && isAwsServerFault(aws)) ErrorClass = ServiceUnavailableError;
  if (!ErrorClass) return error instanceof Error ? error : new Error(`${context.action}: ${message}`);
  return new ErrorClass(message, context, options);
}

function isAwsServerFault(error: AwsLikeError): boolean {
  const status = error.$metadata?.httpStatusCode;
  return error.$fault === 'server' || (typeof status === 'number' && status >= 500);
}

/** Whether trying the same call again later can succeed; unknown errors are not retried. */
export function isRetryable(error: unknown): boolean {
  return error instanceof PortError && error.retryable;
}
