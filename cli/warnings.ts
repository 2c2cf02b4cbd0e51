/**
 * Holds the process's warnings back while `run` runs, then gives them to the printers Node had (its
 * own, which honours --no-warnings and --disable-warning): the CLI's own lines come first, e.g. a
 * one-line error before the AWS SDK's several-line notice about the Node.js version, and no warning
 * is lost.
 */
export async function withWarningsAfter<T>(run: () => Promise<T>): Promise<T> {
  const printers = process.listeners('warning');
  const held: Error[] = [];
  const hold = (warning: Error): void => {
    held.push(warning);
  };
  for (const printer of printers) process.removeListener('warning', printer);
  process.on('warning', hold);
  try {
    return await run();
  } finally {
    process.removeListener('warning', hold);
    for (const printer of printers) process.on('warning', printer);
    for (const warning of held) for (const printer of printers) printer(warning);
  }
}
