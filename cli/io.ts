import { readFileSync, statSync } from 'node:fs';
import { InvalidInputError, JSON_LIMITS, assertJsonDepth } from '../lambdas/domain/validation';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal: colour needs one (and NO_COLOR unset, and no `--no-color`). */
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  };
}

/** Reads and parses a JSON file; errors name the file and what is wrong with it. */
export function readJsonFile(path: string, flag: string): unknown {
  let text: string;
  try {
    // Checked before reading, so an enormous file is refused without being loaded.
    const bytes = statSync(path).size;
    if (bytes > JSON_LIMITS.maxBytes) {
      throw new InvalidInputError(path, `is ${bytes} bytes; the limit is ${JSON_LIMITS.maxBytes}`);
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new InvalidInputError(flag, `cannot read ${path}: ${why}`);
  }
  // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidInputError(path, `not valid JSON: ${(error as Error).message}`);
  }
  try {
    assertJsonDepth(value);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(`${path}: ${error.path}`, error.detail);
    throw error;
  }
  return value;
}

/** Runs a parser over a file's content, prefixing any bad-field message with the file name. */
export function parseFile<T>(path: string, flag: string, parse: (value: unknown) => T): T {
  const value = readJsonFile(path, flag);
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new InvalidInputError(`${path}: ${error.path}`, error.detail);
    }
    throw error;
  }
}
