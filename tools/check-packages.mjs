#!/usr/bin/env node
// Checks that every published package is fit to install (issue 14, "fit for the people who install it"):
//   node tools/check-packages.mjs            publint (strict) and attw (esm-only profile) on each package's packed tarball
//   node tools/check-packages.mjs --install  also: pack every package, install each one alone (with the tarballs of the
//                                            @lvr packages it depends on) into a scratch project, and import it from
//                                            plain Node ESM (no tsx, no export condition), running a one-line smoke call
// Needs built packages (`npm run build`); `npm run check:packages` builds first. Exits 1 on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const install = process.argv.includes('--install');
const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const path = join(root, 'packages', dir);
  const json = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
  return { dir, path, json };
}).filter((p) => !p.json.private);

/** One smoke call per package, run from a scratch project with plain `node --input-type=module`. */
const SMOKE = {
  '@lvr/core': "const { Rng } = await import('@lvr/core'); if (typeof new Rng(1).next() !== 'number') throw new Error('Rng');",
  '@lvr/data': "const { createWordLevelTokenizerJson, LvrTokenizer } = await import('@lvr/data'); LvrTokenizer.fromJson(createWordLevelTokenizerJson({ words: ['a'] }));",
  '@lvr/decoding': "const d = await import('@lvr/decoding'); if (typeof d.generate !== 'function') throw new Error('generate');",
  '@lvr/rl': "const r = await import('@lvr/rl'); if (Object.keys(r).length === 0) throw new Error('exports');",
  '@lvr/eval': "const e = await import('@lvr/eval'); if (typeof e.hierarchicalBootstrap !== 'function') throw new Error('hierarchicalBootstrap');",
  '@lvr/model': "const m = await import('@lvr/model'); if (await m.initBackend() === undefined) throw new Error('backend');",
  '@lvr/cli': "const { execFileSync } = await import('node:child_process'); execFileSync('npx', ['lvr', '--help'], { stdio: 'ignore' });",
};

const failures = [];
function run(label, cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  const ok = r.status === 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) {
    failures.push(label);
    console.log((r.stdout ?? '') + (r.stderr ?? ''));
  }
  return ok;
}

for (const p of packages) {
  run(`publint ${p.json.name}`, 'npx', ['publint', '--strict', p.path]);
  run(`attw --profile esm-only ${p.json.name}`, 'npx', ['attw', '--pack', p.path, '--profile', 'esm-only', '--format', 'table-flipped']);
}

if (install) {
  const scratch = mkdtempSync(join(tmpdir(), 'lvr-pack-'));
  const tarballs = new Map();
  for (const p of packages) {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: p.path, encoding: 'utf8' });
    tarballs.set(p.json.name, join(scratch, JSON.parse(out)[0].filename));
  }
  const lvrDeps = (name, seen = new Set()) => {
    if (seen.has(name)) return seen;
    seen.add(name);
    const p = packages.find((q) => q.json.name === name);
    for (const d of Object.keys(p?.json.dependencies ?? {})) if (d.startsWith('@lvr/')) lvrDeps(d, seen);
    return seen;
  };
  for (const p of packages) {
    const project = mkdtempSync(join(scratch, `${p.dir}-`));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `scratch-${p.dir}`, private: true, type: 'module' }));
    const tgz = [...lvrDeps(p.json.name)].map((n) => tarballs.get(n));
    if (run(`install ${p.json.name} alone (${tgz.length} tarballs)`, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tgz], project)) {
      run(`import ${p.json.name} from plain Node ESM`, 'node', ['--input-type=module', '-e', SMOKE[p.json.name] ?? `await import('${p.json.name}');`], project);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
}

console.log(failures.length === 0 ? `all ${packages.length} packages pass` : `${failures.length} check(s) failed: ${failures.join('; ')}`);
process.exit(failures.length === 0 ? 0 : 1);
