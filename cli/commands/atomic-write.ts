import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidInputError } from '../../lambdas/domain/validation';
import { CommandFailure } from './aws-failure';

/** Write errors that mean the path given is wrong, not that the machine failed. */
const BAD_PATH_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS']);

function failure(flag: string, path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why =
    code === 'ENOENT'
      ? 'no such directory'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (error as Error).message;
  return BAD_PATH_CODES.has(code)
    ? new InvalidInputError(flag, `cannot write ${path}: ${why}`)
    : new CommandFailure(`cannot write ${path}: ${why}`, { cause: error });
}

/** Refuses an output path that cannot be written, before any slow work is done for it. */
export function checkWritable(flag: string, path: string): void {
  const directory = dirname(resolve(path));
  try {
    if (!statSync(directory).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw failure(flag, path, error);
  }
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw failure(flag, path, error);
  }
}

/**
 * Writes `text` to `path` so that readers see the old file or the whole new one, never part of it:
 * the text goes to a temporary file in the same directory, is flushed to disk, and is renamed over
 * `path`. On any failure the temporary file is removed and `path` is left as it was.
 */
export function writeFileAtomic(flag: string, path: string, text: string): void {
  const temporary = join(
    dirname(resolve(path)),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let descriptor: number | undefined;
  try {
    descriptor = openSync(temporary, 'wx', 0o644);
    writeFileSync(descriptor, text);
    fsyncSync(descriptor);
    closeSync(descriptor);
    descriptor = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (descriptor !== undefined) closeSync(descriptor);
    rmSync(temporary, { force: true });
    throw failure(flag, path, error);
  }
}
