#!/usr/bin/env node
import { processIo } from '../cli/io';
import { runCli } from '../cli/main';
import { withWarningsAfter } from '../cli/warnings';

// A reader that stops early (`stream-medic --help | head -1`) closes the pipe: nothing more is
// wanted, so the CLI stops there instead of failing with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});

void withWarningsAfter(() => runCli(process.argv.slice(2), processIo())).then((code) => {
  process.exitCode = code;
});
