import { mapAwsError, type ErrorContext } from '../ports/errors';

/** Runs one SDK call and rethrows its failure as the named port error for `context`. */
export async function callAws<T>(context: ErrorContext, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw mapAwsError(error, context);
  }
}
