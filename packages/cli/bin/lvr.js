#!/usr/bin/env node
// Shim for the `lvr` command. A built package runs dist/bin.js; a source checkout without a build
// (right after `npm ci`) re-spawns Node on src/bin.ts with tsx and the @lvr/source export condition.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/bin.js', import.meta.url);
const src = new URL('../src/bin.ts', import.meta.url);

if (existsSync(fileURLToPath(dist))) {
  await import(dist.href);
} else {
  const tsx = import.meta.resolve('tsx');
  const res = spawnSync(
    process.execPath,
    ['--conditions=@lvr/source', '--import', tsx, fileURLToPath(src), ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  if (res.error) {
    process.stderr.write(`lvr: cannot start node: ${res.error.message}\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = res.status ?? (res.signal ? 128 : 1);
  }
}
