import {
  AccessDeniedError,
  InvalidRequestError,
  LimitExceededError,
  PortError,
  ResourceInUseError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottlingError,
  mapAwsError,
} from '../../lambdas/ports/errors';

/**
 * A failure the person at the terminal can act on: one sentence saying what went wrong and what to
 * do. The CLI prints the message as is and exits 1.
 */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** One AWS call, described for the messages about it. */
export interface AwsCallContext {
  /** The API action, e.g. `DescribeStreamSummary`. */
  readonly action: string;
  /** The IAM action the call needs, e.g. `kinesis:DescribeStreamSummary`. */
  readonly iamAction: string;
  /** What the call reads, in words, e.g. `stream "orders-stream"`. */
  readonly resource?: string;
}

/** The region a client sends to, or undefined when none is configured. */
export async function regionOf(client: { readonly config: { readonly region: () => Promise<string> } }) {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}

const NETWORK_UNKNOWN_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN']);
const NETWORK_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired']);
const INVALID_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
]);

interface ErrorFacts {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly hostname?: unknown;
  readonly address?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly attempts?: unknown; readonly httpStatusCode?: unknown };
}

/** The first error in the `cause` chain with a network error code (the HTTP/2 handler wraps them). */
function networkError(error: unknown): ErrorFacts | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const facts = current as ErrorFacts;
    if (
      typeof facts.code === 'string' &&
      (NETWORK_UNKNOWN_HOST.has(facts.code) || NETWORK_UNREACHABLE.has(facts.code))
    ) {
      return facts;
    }
    current = facts.cause;
  }
  return undefined;
}

function attemptsOf(error: unknown): number | undefined {
  const attempts = (error as ErrorFacts | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' ? attempts : undefined;
}

/** The AWS exception name and message, as `(Name: message)`, trimmed of a trailing period. */
function quoted(name: string, message: string): string {
  const text = message.trim().replace(/\.$/, '');
  return text && text !== name ? `(${name}: ${text})` : `(${name})`;
}

/**
 * Turns a failed AWS call into a {@link CommandFailure} that names the cause and the fix: missing
 * credentials or region, an unreachable endpoint, a missing IAM permission, a resource that is not
 * there, throttling that outlasted the SDK's retries. Errors that are not about AWS (a bug) are
 * returned unchanged so they are never disguised.
 */
export function explainAwsFailure(error: unknown, call: AwsCallContext, region: string | undefined): Error {
  if (error instanceof CommandFailure) return error;
  const where = region ? ` in ${region}` : '';
  const what = call.resource ? ` for ${call.resource}` : '';
  // The adapters have already named the failure; AWS's own words and retry count are on its cause.
  const original = error instanceof PortError && error.cause !== undefined ? error.cause : error;
  const facts = (typeof original === 'object' && original !== null ? original : {}) as ErrorFacts;
  const name = typeof facts.name === 'string' ? facts.name : '';
  const message = typeof facts.message === 'string' ? facts.message : String(original);

  if (name === 'CredentialsProviderError') {
    return new CommandFailure(
      `no AWS credentials found ${quoted(name, message)}: set AWS_PROFILE (and run \`aws sso login\` for SSO), ` +
        'run `aws configure`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      { cause: error },
    );
  }
  if (message === 'Region is missing') {
    return new CommandFailure('no AWS region is set: pass --region (e.g. --region eu-west-1) or set AWS_REGION', {
      cause: error,
    });
  }
  const network = networkError(error);
  if (network) {
    const code = String(network.code);
    const host = typeof network.hostname === 'string' ? network.hostname : String(network.address ?? 'the endpoint');
    const hint = NETWORK_UNKNOWN_HOST.has(code)
      ? `is the region${region ? ` "${region}"` : ''} right (--region), and is the network up?`
      : 'is the network up, and is any AWS_ENDPOINT_URL setting right?';
    return new CommandFailure(`${call.action}${what}: cannot reach ${host} (${code}): ${hint}`, { cause: error });
  }

  const mapped = mapAwsError(error, { action: call.action, ...(call.resource ? { resource: call.resource } : {}) });
  if (!(mapped instanceof PortError)) {
    // An AWS exception the port mapping has no name for is still AWS's answer; anything else is a bug.
    const fromAws = typeof facts.$metadata?.httpStatusCode === 'number';
    return fromAws
      ? new CommandFailure(`${call.action}${what} failed${where} ${quoted(name, message)}`, { cause: error })
      : mapped;
  }
  const awsName = mapped.awsErrorName ?? name;
  const because = quoted(awsName || mapped.name, message);
  if (mapped instanceof AccessDeniedError) {
    if (EXPIRED.has(awsName)) {
      return new CommandFailure(
        `the AWS credentials have expired ${because}: refresh them (e.g. \`aws sso login\`) and try again`,
        { cause: error },
      );
    }
    if (INVALID_CREDENTIALS.has(awsName)) {
      return new CommandFailure(
        `AWS does not recognise these credentials${where} ${because}: check AWS_PROFILE or the access key, ` +
          'and that the region is enabled for the account',
        { cause: error },
      );
    }
    return new CommandFailure(
      `access denied: these credentials may not call ${call.iamAction}${what}${where} ${because}; ` +
        `grant ${call.iamAction} or use a role that has it`,
      { cause: error },
    );
  }
  if (mapped instanceof ResourceNotFoundError) {
    return new CommandFailure(
      `${call.resource ?? 'the resource'} was not found${where} ${because}: check the name, --region and the account (AWS_PROFILE)`,
      { cause: error },
    );
  }
  if (mapped instanceof ThrottlingError) {
    const attempts = attemptsOf(original);
    const tries = attempts !== undefined ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'} with backoff` : '';
    return new CommandFailure(
      `AWS throttled ${call.action}${what}${tries} ${because}: other callers share this API's rate; wait a minute and try again`,
      { cause: error },
    );
  }
  if (mapped instanceof ServiceUnavailableError) {
    return new CommandFailure(`AWS failed to serve ${call.action}${what}${where} ${because}: try again shortly`, {
      cause: error,
    });
  }
  if (mapped instanceof ResourceInUseError || mapped instanceof LimitExceededError) {
    return new CommandFailure(`${call.action}${what} cannot be done now ${because}: try again later`, { cause: error });
  }
  if (mapped instanceof InvalidRequestError) {
    return new CommandFailure(`AWS refused ${call.action}${what}${where} ${because}`, { cause: error });
  }
  return new CommandFailure(`${call.action}${what} failed${where} ${because}`, { cause: error });
}

/**
 * Runs one AWS call and turns its failure into an actionable {@link CommandFailure}; the region for
 * the message is looked up only when something failed.
 */
export async function explained<T>(
  call: AwsCallContext,
  region: () => Promise<string | undefined>,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw explainAwsFailure(error, call, await region());
  }
}
