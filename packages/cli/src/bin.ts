#!/usr/bin/env node
/**
 * Entry point of the `lvr` command (see `cli.ts`). Run from a checkout without building with
 * `node --conditions=@lvr/source --import tsx packages/cli/src/bin.ts <command>`, or through the
 * `bin/lvr.js` shim (`npx lvr …`).
 */
import { runCli } from './cli.js';
import { processIo } from './io.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
