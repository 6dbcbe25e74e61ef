/**
 * Writes the tfjs side of the PyTorch numerical oracle (see tools/torch-reference/README.md):
 *
 *   node --conditions=@lvr/source --import tsx packages/model/src/oracle/dump.ts OUT_DIR [--variant V|all] [--backend B]
 *   /usr/bin/python3 tools/torch-reference/check.py OUT_DIR
 *
 * `--variant` is base (default), simple-head or glu-head; `all` writes every variant to OUT_DIR/<variant>/.
 * `--backend` is wasm (default), cpu or native.
 */
import { join, resolve } from 'node:path';
import { isLvrError } from '@lvr/core';
import type { InitBackendOptions } from '../backend.js';
import { ORACLE_VARIANTS, type OracleVariant } from './oracle-case.js';
import { writeOracleDump } from './oracle-dump.js';

const USAGE = `usage: dump.ts OUT_DIR [--variant ${ORACLE_VARIANTS.join('|')}|all] [--backend wasm|cpu|native]`;

type Prefer = NonNullable<InitBackendOptions['prefer']>;

function parseArgs(argv: readonly string[]): { outDir: string; variant: OracleVariant | 'all'; prefer: Prefer } {
  let outDir: string | undefined;
  let variant: OracleVariant | 'all' = 'base';
  let prefer: Prefer = 'wasm';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--backend') {
      const v = argv[++i];
      if (v !== 'wasm' && v !== 'cpu' && v !== 'native') throw new Error(`--backend must be wasm, cpu or native, got ${String(v)}\n${USAGE}`);
      prefer = v;
    } else if (a === '--variant') {
      const v = argv[++i] as OracleVariant | 'all' | undefined;
      if (v !== 'all' && !ORACLE_VARIANTS.includes(v as OracleVariant)) throw new Error(`unknown --variant ${String(v)}\n${USAGE}`);
      variant = v as OracleVariant | 'all';
    } else if (a.startsWith('-') || outDir !== undefined) {
      throw new Error(`unexpected argument ${a}\n${USAGE}`);
    } else {
      outDir = a;
    }
  }
  if (outDir === undefined) throw new Error(USAGE);
  return { outDir: resolve(outDir), variant, prefer };
}

try {
  const { outDir, variant, prefer } = parseArgs(process.argv.slice(2));
  const jobs = variant === 'all' ? ORACLE_VARIANTS.map((v) => ({ v, dir: join(outDir, v) })) : [{ v: variant, dir: outDir }];
  for (const { v, dir } of jobs) {
    const s = await writeOracleDump(dir, { prefer, variant: v });
    process.stdout.write(
      `wrote ${s.outDir} (${s.variant}, backend ${s.backend}, ${s.numParams} parameters): ` +
        `loss/ce ${s.loss.ce.toFixed(6)}, loss/lvr ${s.loss.lvr.toFixed(6)}, total ${s.loss.total.toFixed(6)}\n`,
    );
  }
} catch (e) {
  process.stderr.write(`dump.ts: ${isLvrError(e) ? `[${e.code}] ` : ''}${(e as Error).message}\n`);
  process.exitCode = 1;
}
