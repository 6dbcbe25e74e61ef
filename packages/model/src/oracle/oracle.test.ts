import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { parameterSpecs } from '../models/params.js';
import { ORACLE_VARIANTS, oracleCase, oracleConfig, type OracleVariant } from './oracle-case.js';
import { ORACLE_FILES, writeOracleDump } from './oracle-dump.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const toolDir = join(repo, 'tools/torch-reference');
/** Debian's python3 with python3-torch; override with LVR_TORCH_PYTHON (a missing interpreter skips the torch tests). */
const PYTHON = process.env.LVR_TORCH_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { timeout: 60_000 }).status === 0;

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface CheckRow { name: string; diff32: number | null; diff64: number | null; ok: boolean; gate: boolean }
interface CheckSummary { passed: boolean; cases: { variant: OracleVariant; passed: boolean; rows: CheckRow[] }[] }

describe('PyTorch numerical oracle', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'lvr-oracle-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('the case is well-formed and the dump holds every compared quantity in on-disk layout', async () => {
    const c = oracleCase();
    const b = c.batch;
    // Both padding sides, LVR slots exactly at the <|lvr|> tokens, two images of different grids.
    expect(Array.from(b.attentionMask.subarray(0, b.length)).slice(-3)).toEqual([0, 0, 0]);
    expect(Array.from(b.attentionMask.subarray(b.length, b.length + 2))).toEqual([0, 0]);
    const lvrTokens = Array.from(b.inputIds.entries()).filter(([, id]) => id === c.config.tokens.lvrId).map(([i]) => i);
    expect(Array.from(b.lvr!.positions)).toEqual(lvrTokens);
    expect(b.images!.map((i) => i.gridThw.w)).toEqual([4, 6]);

    const dir = tmp();
    const s = await writeOracleDump(dir, { prefer: 'wasm' });
    expect([s.loss.ce, s.loss.lvr, s.loss.total].every(Number.isFinite)).toBe(true);
    expect(s.loss.total).toBeCloseTo(s.loss.ce + 0.1 * s.loss.lvr, 5);
    const { tensors } = decodeSafetensors(readFileSync(join(dir, ORACLE_FILES.expected)));
    const specs = parameterSpecs(c.config);
    expect(s.numParams).toBe(specs.length);
    for (const spec of specs) {
      const g = tensors[`grad/${spec.name}`];
      expect(g?.shape, spec.name).toEqual(spec.shape);
    }
    const weights = decodeSafetensors(readFileSync(join(dir, ORACLE_FILES.weights))).tensors;
    expect(weights['visual.patch_embed.proj.weight']?.shape).toEqual([16, 96]); // (out, in) like PyTorch
    expect(tensors.hidden?.shape).toEqual([b.batch * b.length, 16]);
    expect(tensors.visual?.shape).toEqual([10, 16]);
    expect(tensors['loss/ce']?.shape).toEqual([]);
    // jitterParams moved zero-init biases and one-init norms off their init.
    expect(weights['visual.merger.mlp.0.bias']!.data.some((x) => x !== 0)).toBe(true);
    expect(weights['model.norm.weight']!.data.some((x) => x !== 1)).toBe(true);
    expect(parameterSpecs(oracleConfig('simple-head')).some((p) => p.name.endsWith('q_proj.bias'))).toBe(false);
    expect(parameterSpecs(oracleConfig('glu-head')).some((p) => p.name === 'lvr_head.gate.weight')).toBe(true);
    expect(() => oracleCase('nope' as OracleVariant)).toThrow(/oracle variant/);
    // allowed-mask: after a row's last <|lvr|>, image tokens are cut off; before it nothing is.
    const m = oracleCase('allowed-mask').batch;
    const l = m.length;
    const at = (row: number, i: number, j: number): number => m.allowed![(row * l + i) * l + j]!;
    expect([at(0, 11, 2), at(0, 10, 2), at(1, 16, 4), at(1, 15, 4), at(1, 16, 3)]).toEqual([0, 1, 0, 1, 1]);
  });

  it.skipIf(!hasTorch)('dump.ts + check.py: tfjs matches PyTorch within 1e-4 (float32 and float64) on every quantity of every variant', () => {
    const dir = tmp();
    const dump = run(process.execPath, ['--conditions=@lvr/source', '--import', 'tsx', join(here, 'dump.ts'), dir, '--variant', 'all']);
    expect(dump.status, dump.out).toBe(0);
    const summaryPath = join(dir, 'summary.json');
    const check = run(PYTHON, [join(toolDir, 'check.py'), ...ORACLE_VARIANTS.map((v) => join(dir, v)), '--json', summaryPath]);
    expect(check.status, check.out).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as CheckSummary;
    expect(summary.passed).toBe(true);
    expect(summary.cases.map((c) => c.variant)).toEqual([...ORACLE_VARIANTS]);
    for (const c of summary.cases) {
      const gated = new Map(c.rows.filter((r) => r.gate).map((r) => [r.name, r]));
      const params = parameterSpecs(oracleConfig(c.variant)).map((p) => `grad/${p.name}`);
      expect([...gated.keys()].sort()).toEqual(['hidden/real', 'logits', 'visual', 'loss/ce', 'loss/lvr', 'loss/total', ...params].sort());
      for (const r of gated.values()) {
        expect(r.diff32, `${c.variant} ${r.name}`).toBeLessThanOrEqual(1e-4);
        expect(r.diff64, `${c.variant} ${r.name}`).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it.skipIf(!hasTorch)('check.py fails and names the quantity when one tfjs result is off by 1e-3', async () => {
    const dir = tmp();
    await writeOracleDump(dir, { prefer: 'wasm', variant: 'glu-head' });
    const file = join(dir, ORACLE_FILES.expected);
    const { tensors, metadata } = decodeSafetensors(readFileSync(file));
    const g = tensors['grad/lvr_head.gate.bias']!;
    g.data[3] = (g.data[3] as number) + 1e-3;
    writeFileSync(file, encodeSafetensors(tensors, metadata));
    const check = run(PYTHON, [join(toolDir, 'check.py'), dir]);
    expect(check.status, check.out).toBe(1);
    expect(check.out).toMatch(/FAIL: grad\/lvr_head\.gate\.bias \(/); // the only failure
  });

  it.skipIf(!hasTorch)('the oracle’s own Python unit tests pass (safetensors reader, rotary tables, mask)', () => {
    const r = run(PYTHON, ['-m', 'unittest', 'discover', '-s', toolDir]);
    expect(r.status, r.out).toBe(0);
  });
});
