#!/usr/bin/env node
import { processIo } from '../cli/io';
import { runCli } from '../cli/main';
import { withWarningsAfter } from '../cli/warnings';

void withWarningsAfter(() => runCli(process.argv.slice(2), processIo())).then((code) => {
  process.exitCode = code;
});
