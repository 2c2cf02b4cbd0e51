/** The untraced bundles' `captureLambdaHandler`: a Middy middleware with no hooks. */
export function captureLambdaHandler(_tracer: unknown, _options?: unknown): Record<string, never> {
  return {};
}
