/**
 * An error shaped the way the SDK raises one it has no class for (unmodeled exceptions such as
 * `AccessDeniedException` or CloudWatch's `Throttling`): a name, a message, `$fault` and `$metadata`.
 */
export function awsError(name: string, message = `${name} from AWS`, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}
