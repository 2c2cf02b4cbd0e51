#!/usr/bin/env node
// Runs the TypeScript CLI in place, so `npx stream-medic` works straight after `npm ci`.
require('tsx/cjs');
require('./cli.ts');
