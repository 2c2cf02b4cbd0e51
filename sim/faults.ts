import { mapAwsError } from '../lambdas/ports/errors';

/** The AWS calls the simulated adapters answer; faults are injected by these names. */
export const SIMULATED_APIS = [
  'DescribeStreamSummary',
  'UpdateShardCount',
  'IncreaseStreamRetentionPeriod',
  'DescribeApplication',
  'UpdateApplication',
  'RollbackApplication',
  'GetMetricData',
  'ListMetrics',
  'Publish',
] as const;
export type SimulatedApi = (typeof SIMULATED_APIS)[number];

/**
 * The exception each service answers a too-fast caller with: Kinesis says LimitExceededException
 * (which the adapters treat as throttling on reads and as a quota on changes), CloudWatch says
 * Throttling, SNS says Throttled.
 */
export const THROTTLING_EXCEPTION: Readonly<Record<SimulatedApi, string>> = {
  DescribeStreamSummary: 'LimitExceededException',
  UpdateShardCount: 'LimitExceededException',
  IncreaseStreamRetentionPeriod: 'LimitExceededException',
  DescribeApplication: 'ThrottlingException',
  UpdateApplication: 'ThrottlingException',
  RollbackApplication: 'ThrottlingException',
  GetMetricData: 'Throttling',
  ListMetrics: 'Throttling',
  Publish: 'ThrottledException',
};

/** Failures AWS reports as server faults (HTTP 5xx); CloudWatch's is InternalServiceFault. */
const SERVER_FAULTS = new Set([
  'InternalServiceFault',
  'InternalFailure',
  'InternalFailureException',
  'InternalErrorException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/**
 * Attempts the Lambdas' SDK clients make per call (standard retry mode, `maxAttempts` 3 in
 * lambdas/handlers/runtime.ts): "the default maximum number of attempts with this mode is three"
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
export const SDK_MAX_ATTEMPTS = 3;

/**
 * Exceptions the SDK's standard mode treats as throttling, and so retries (the AWS SDK for
 * JavaScript's list, narrowed to those the simulated services answer).
 */
const SDK_THROTTLING_EXCEPTIONS = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
]);

/** Whether the SDK retries this failure by itself before the task sees it: throttling and server faults. */
export function sdkRetries(error: unknown): boolean {
  const awsName = (error as { awsErrorName?: unknown }).awsErrorName;
  return typeof awsName === 'string' && (SDK_THROTTLING_EXCEPTIONS.has(awsName) || SERVER_FAULTS.has(awsName));
}

export interface ApiFault {
  readonly apis: readonly SimulatedApi[];
  /** The AWS exception name, or `throttling` for each service's own throttling exception. */
  readonly awsError: string;
  /** Epoch ms from which calls fail. */
  readonly from: number;
  /** Epoch ms from which calls succeed again; unset: until `count` runs out, or for ever. */
  readonly until?: number;
  /** How many calls fail; unset: every call in the window. */
  readonly count?: number;
  readonly message?: string;
}

export interface InjectedFailure {
  readonly at: number;
  /** The simulated call, or the lock's DeleteItem. */
  readonly api: SimulatedApi | 'DeleteItem';
  readonly resource: string;
  readonly errorName: string;
}

interface ActiveFault extends ApiFault {
  remaining: number;
}

interface VersionRace {
  readonly from: number;
  remaining: number;
}

/** The calls that change a resource: a crash after one of them leaves a change the ledger cannot know of. */
export const CHANGING_APIS: ReadonlySet<SimulatedApi> = new Set([
  'UpdateShardCount',
  'IncreaseStreamRetentionPeriod',
  'UpdateApplication',
  'RollbackApplication',
]);

/**
 * How Step Functions reports a Lambda function that died unhandled (out of memory, timed out, process
 * exit): `Lambda.Unknown`, which no retrier of the workflow takes
 * (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
 */
export const LAMBDA_CRASH_ERROR = 'Lambda.Unknown';

/** A Lambda function that died: what Step Functions sees instead of the function's own error. */
export class LambdaCrash extends Error {
  override readonly name = LAMBDA_CRASH_ERROR;
}

/**
 * Fails chosen API calls the way AWS fails them: the exception is mapped to a named port error by
 * the same function the real adapters use, so the workflow sees exactly what it would in AWS.
 */
export class FaultInjector {
  private readonly faults: ActiveFault[] = [];
  private readonly races: VersionRace[] = [];
  private readonly crashes: VersionRace[] = [];
  private readonly lockFailures: VersionRace[] = [];
  private crashPending = false;
  private readonly failures: InjectedFailure[] = [];

  constructor(private readonly now: () => number) {}

  add(fault: ApiFault): void {
    this.faults.push({ ...fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
  }

  /**
   * From `from`, the next `count` UpdateApplication calls find that someone else has just changed
   * the application: their version id is stale by the time they arrive.
   */
  addVersionRace(from: number, count: number): void {
    this.races.push({ from, remaining: count });
  }

  /**
   * From `from`, the apply function dies right after each of the next `count` changing calls that AWS
   * accepted, before it records the result in the ledger.
   */
  addCrashAfterChange(from: number, count: number): void {
    this.crashes.push({ from, remaining: count });
  }

  /**
   * From `from`, the next `count` releases of a lock fail as DynamoDB fails on its side
   * (InternalServerError, after the SDK's own attempts).
   */
  addLockReleaseFailure(from: number, count: number): void {
    this.lockFailures.push({ from, remaining: count });
  }

  /** The failure of this lock release, if one is due. */
  lockReleaseFailure(resource: string): Error | undefined {
    const now = this.now();
    const failure = this.lockFailures.find((f) => f.remaining > 0 && now >= f.from);
    if (!failure) return undefined;
    failure.remaining -= 1;
    const error = mapAwsError(
      {
        name: 'InternalServerError',
        message: 'Internal server error (injected)',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      },
      { action: 'DeleteItem', resource },
    );
    this.failures.push({ at: now, api: 'DeleteItem', resource, errorName: error.name });
    return error;
  }

  /** A changing call went through; arms the crash that follows it, if one is due. */
  changed(api: SimulatedApi): void {
    if (!CHANGING_APIS.has(api)) return;
    const now = this.now();
    const crash = this.crashes.find((c) => c.remaining > 0 && now >= c.from);
    if (!crash) return;
    crash.remaining -= 1;
    this.crashPending = true;
  }

  /** Whether the function dies now, at the ledger write that follows an accepted change. */
  takeCrash(): boolean {
    const crash = this.crashPending;
    this.crashPending = false;
    return crash;
  }

  /** Throws the injected failure for this call, if one applies now. */
  check(api: SimulatedApi, resource: string): void {
    const now = this.now();
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || now < fault.from || (fault.until !== undefined && now >= fault.until)) continue;
      if (!fault.apis.includes(api)) continue;
      fault.remaining -= 1;
      const awsName = fault.awsError === 'throttling' ? THROTTLING_EXCEPTION[api] : fault.awsError;
      const error = mapAwsError(
        {
          name: awsName,
          message: fault.message ?? (fault.awsError === 'throttling' ? 'Rate exceeded' : `${awsName} (injected)`),
          ...(SERVER_FAULTS.has(awsName) ? { $fault: 'server', $metadata: { httpStatusCode: 500 } } : {}),
        },
        { action: api, resource },
      );
      this.failures.push({ at: now, api, resource, errorName: error.name });
      throw error;
    }
  }

  /**
   * One call as the Lambdas' SDK clients make it: an injected failure the SDK retries by itself
   * (throttling, server faults) is tried again at once, up to {@link SDK_MAX_ATTEMPTS} attempts; each
   * failed attempt is reported to `failed`. Throws the failure the caller finally sees.
   */
  checkAsSdk(api: SimulatedApi, resource: string, failed?: (error: Error) => void): void {
    for (let attempt = 1; ; attempt++) {
      try {
        this.check(api, resource);
        return;
      } catch (error) {
        failed?.(error as Error);
        if (attempt >= SDK_MAX_ATTEMPTS || !sdkRetries(error)) throw error;
      }
    }
  }

  /** Whether someone else changes the application just before this UpdateApplication arrives. */
  takeVersionRace(): boolean {
    const now = this.now();
    const race = this.races.find((r) => r.remaining > 0 && now >= r.from);
    if (!race) return false;
    race.remaining -= 1;
    return true;
  }

  /** Every failure injected so far. */
  injected(): readonly InjectedFailure[] {
    return this.failures;
  }
}
