import type { PortError } from '../../lambdas/ports/errors';
import {
  AccessDeniedError,
  ConcurrentModificationError,
  ERROR_HANDLING,
  ERROR_NAMES,
  InvalidRequestError,
  LimitExceededError,
  QuotaExceededError,
  RETRYABLE_ERROR_NAMES,
  ResourceInUseError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottlingError,
  isRetryable,
  mapAwsError,
} from '../../lambdas/ports/errors';

const context = { action: 'UpdateShardCount', resource: 'stream/orders-stream' };

function sdkError(name: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(
    new Error(`${name} said so`),
    { name, $fault: 'client', $metadata: { httpStatusCode: 400 } },
    fields,
  );
}

describe('mapAwsError', () => {
  it.each([
    ['ThrottlingException', ThrottlingError],
    ['Throttling', ThrottlingError],
    ['ThrottledException', ThrottlingError],
    ['ProvisionedThroughputExceededException', ThrottlingError],
    ['RequestLimitExceeded', ThrottlingError],
    ['KMSThrottlingException', ThrottlingError],
    ['LimitExceededException', LimitExceededError],
    ['ResourceInUseException', ResourceInUseError],
    ['ConcurrentModificationException', ConcurrentModificationError],
    ['ResourceNotFoundException', ResourceNotFoundError],
    ['NotFoundException', ResourceNotFoundError],
    ['AccessDeniedException', AccessDeniedError],
    ['AccessDenied', AccessDeniedError],
    ['AuthorizationErrorException', AccessDeniedError],
    ['NotAuthorized', AccessDeniedError],
    ['UnrecognizedClientException', AccessDeniedError],
    ['ExpiredTokenException', AccessDeniedError],
    ['KMSAccessDeniedException', AccessDeniedError],
    ['InvalidArgumentException', InvalidRequestError],
    ['InvalidParameterException', InvalidRequestError],
    ['InvalidRequestException', InvalidRequestError],
    ['ValidationException', InvalidRequestError],
    ['InternalFailure', ServiceUnavailableError],
    ['ServiceUnavailableException', ServiceUnavailableError],
  ] as const)('maps %s to %p', (awsName, expected) => {
    const original = sdkError(awsName);

    const mapped = mapAwsError(original, context);

    expect(mapped).toBeInstanceOf(expected);
    expect(mapped).toMatchObject({
      name: expected.name,
      action: 'UpdateShardCount',
      resource: 'stream/orders-stream',
      awsErrorName: awsName,
      message: `UpdateShardCount on stream/orders-stream: ${awsName} said so`,
      cause: original,
    });
  });

  it('reads LimitExceededException on a read action as throttling, on a change as a quota', () => {
    const original = sdkError('LimitExceededException');

    expect(mapAwsError(original, { action: 'DescribeStreamSummary' })).toBeInstanceOf(ThrottlingError);
    expect(mapAwsError(original, { action: 'UpdateShardCount' })).toBeInstanceOf(LimitExceededError);
  });

  it("reads Managed Flink's LimitExceededException on UpdateApplication as the KPU quota, which no retrier takes", () => {
    const refused = mapAwsError(sdkError('LimitExceededException'), {
      action: 'UpdateApplication',
      resource: 'application/orders-enricher',
    });

    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect(refused).toMatchObject({ name: 'QuotaExceededError', awsErrorName: 'LimitExceededException' });
    expect(ERROR_HANDLING.QuotaExceededError).toEqual({ retryable: false });
  });

  it('falls back to throttling for an unknown name the SDK itself classed as throttling', () => {
    expect(mapAwsError(sdkError('SlowDown', { $retryable: { throttling: true } }), context)).toBeInstanceOf(
      ThrottlingError,
    );
  });

  it.each([
    ['a server fault', { $fault: 'server' }],
    ['a 5xx status', { $metadata: { httpStatusCode: 503 } }],
  ])('maps an unknown error with %s to ServiceUnavailableError', (_, fields) => {
    expect(mapAwsError(sdkError('SomethingNew', fields), context)).toBeInstanceOf(ServiceUnavailableError);
  });

  it('returns errors it does not recognise unchanged, so bugs are not disguised as AWS failures', () => {
    const bug = new TypeError('cannot read properties of undefined');
    const unknownClientError = sdkError('SomethingNew');

    expect(mapAwsError(bug, context)).toBe(bug);
    expect(mapAwsError(unknownClientError, context)).toBe(unknownClientError);
  });

  it('returns a port error unchanged instead of wrapping it twice', () => {
    const already = new ResourceInUseError('busy', context);

    expect(mapAwsError(already, { action: 'Other' })).toBe(already);
  });

  it('turns a thrown non-error into an Error naming the action', () => {
    expect(mapAwsError('boom', context).message).toBe('UpdateShardCount: boom');
  });

  it('omits the resource from the message when none is given', () => {
    expect(mapAwsError(sdkError('ThrottlingException'), { action: 'GetMetricData' }).message).toBe(
      'GetMetricData: ThrottlingException said so',
    );
  });
});

describe('named errors', () => {
  const everyError: PortError[] = [
    new ThrottlingError('m', context),
    new LimitExceededError('m', context),
    new QuotaExceededError('m', context),
    new ResourceInUseError('m', context),
    new ConcurrentModificationError('m', context),
    new ResourceNotFoundError('m', context),
    new AccessDeniedError('m', context),
    new InvalidRequestError('m', context),
    new ServiceUnavailableError('m', context),
  ];

  it('covers every listed name exactly once, each an Error whose name is its class name', () => {
    expect(everyError.map((error) => error.name).sort()).toEqual([...ERROR_NAMES].sort());
    for (const error of everyError) {
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('lists as retryable exactly the errors flagged retryable', () => {
    const flagged = everyError.filter(isRetryable).map((error) => error.name);

    expect(flagged.sort()).toEqual([...RETRYABLE_ERROR_NAMES].sort());
    expect(flagged.sort()).toEqual(['ResourceInUseError', 'ServiceUnavailableError', 'ThrottlingError']);
  });

  it('does not call a plain error retryable', () => {
    expect(isRetryable(new Error('x'))).toBe(false);
  });
});
