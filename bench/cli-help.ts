/**
 * Start-up time of `lvr --help` (not a test; issue 14's target is < 0.5 s from a built install). Prints the median
 * wall time over repetitions of the built entry (`packages/cli/dist/bin.js`, after
 * `npx turbo run build --filter=@lvr/cli...`) and, for comparison, of the source entry under tsx. `help-imports.test.ts`
 * checks the cause (no heavy module on the help path); this script only measures.
 *
 * Run: node --conditions=@lvr/source --import tsx bench/cli-help.ts [--reps=N] [--args="help infer"]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const reps = Number(arg('reps') ?? 9);
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be an integer ≥ 1');
const cliArgs = (arg('args') ?? '--help').split(' ').filter((a) => a !== '');
const TARGET_S = 0.5;

const dist = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const src = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));

/** Median wall time in seconds of `node <args>`, after one warm-up run. */
function medianSeconds(args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (res.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${res.status}: ${res.stderr}`);
    if (i > 0) times.push(s);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const rows: [string, number][] = [];
if (existsSync(dist)) rows.push(['dist', medianSeconds([dist, ...cliArgs])]);
else process.stdout.write('packages/cli/dist/bin.js is missing: build with `npx turbo run build --filter=@lvr/cli...`\n');
rows.push(['source (tsx)', medianSeconds(['--conditions=@lvr/source', '--import', import.meta.resolve('tsx'), src, ...cliArgs])]);
rows.push(['node -e 0', medianSeconds(['-e', '0'])]); // Node's own start-up, the floor
process.stdout.write(`lvr ${cliArgs.join(' ')}: median of ${reps} (target < ${TARGET_S} s from dist)\n`);
for (const [name, s] of rows) process.stdout.write(`  ${name.padEnd(13)} ${s.toFixed(3)} s\n`);
