import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('bin/lvr.js shim', () => {
  it('runs `lvr --help` from source through tsx in a subprocess', () => {
    const shim = fileURLToPath(new URL('../bin/lvr.js', import.meta.url));
    const res = spawnSync(process.execPath, [shim, '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('Usage: lvr <command> [options]');
    expect(res.stdout).toContain('synth');
  });
});
