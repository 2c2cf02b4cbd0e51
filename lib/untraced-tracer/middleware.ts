/**
 * The untraced bundles' `captureLambdaHandler`: a Middy middleware whose one hook does nothing
 * (Middy refuses a middleware without any hook).
 */
export function captureLambdaHandler(_tracer: unknown, _options?: unknown): { before: () => void } {
  return { before: () => undefined };
}
