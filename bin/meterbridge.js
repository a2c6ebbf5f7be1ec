#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm ci` compiles it through the `prepare` script.
import { runCli } from '../dist/src/cli/cli.js';

await runCli(process.argv);
