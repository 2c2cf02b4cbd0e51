/**
 * The tracer of the untraced Lambda bundles (see UNTRACED_TRACER_STUB in lib/lambda-bundling.ts):
 * the Powertools `Tracer` calls the entries make, doing nothing, so neither the tracer nor the X-Ray
 * SDK is bundled. Only what the entries call is here.
 */
export class Tracer {
  constructor(_options?: unknown) {}

  /** Returns the client as it is: nothing records its calls. */
  captureAWSv3Client<T>(client: T): T {
    return client;
  }
}
