import type { VisualProbeReport } from '@lvr/eval';

/** The parts of `chase.json` (`chaseJson` in study/chase-table.ts) the demo report reads. Percent throughout. */
export interface ChaseResults {
  k: number[];
  labels: string[];
  arms: Record<string, { acc: (number | null)[]; ci: ([number, number] | null)[] }>;
  primary: { comparison: string; label: string } & Record<string, unknown>;
  probes: Record<string, Record<string, Record<string, { acc: { acc: number; lo: number; hi: number }; drop: { diff: number; lo: number; hi: number }; follow?: number; perHop?: number[] }>>>;
}

interface Diff { diff: number; ci: [number, number] }

const f1 = (x: number): string => x.toFixed(1);
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${f1(x)}`;
const verdict = (lo: number, hi: number): string => (lo > 0 ? 'significantly higher (95 % CI excludes 0)' : hi < 0 ? 'significantly lower (95 % CI excludes 0)' : 'no significant difference (95 % CI includes 0)');

/**
 * Plain statements computed from a chase study's numbers (never hand-written claims): accuracy per k and arm, the
 * pre-stated comparison (primary arm vs SFT and vs Pause-K), whether SFT falls with k, and — for every latent arm at
 * the primary k — what zeroing / shuffling the latents costs, what oracle hop tokens give, and per-hop decodability.
 *
 * @example
 * chaseFindings(JSON.parse(readFileSync('runs/demo/chase/chase.json', 'utf8')), { armLabels: { sft: 'SFT' }, primaryArm: 'ptr-argmax', chance: 25 });
 */
export function chaseFindings(r: ChaseResults, o: { armLabels: Readonly<Record<string, string>>; primaryArm: string; chance: number }): string[] {
  const out: string[] = [];
  const name = (a: string): string => o.armLabels[a] ?? a;
  const acc = (a: string, i: number): number | null => r.arms[a]?.acc[i] ?? null;
  r.k.forEach((k, i) => {
    const cells = Object.keys(r.arms).map((a) => [a, acc(a, i), r.arms[a]!.ci[i]] as const).filter((c): c is readonly [string, number, [number, number]] => c[1] !== null && c[2] !== null);
    if (cells.length === 0) return;
    const best = [...cells].sort((x, y) => y[1] - x[1])[0]!;
    // Identical accuracy everywhere (CIs differ only by their bootstrap draws): say it once, plainly.
    if (cells.length > 1 && cells.every((c) => c[1] === cells[0]![1])) {
      out.push(`k = ${k}: every arm (${cells.length}) scores ${f1(cells[0]![1])} % (95 % CI about [${f1(cells[0]![2][0])}, ${f1(cells[0]![2][1])}]; chance ${o.chance} %) — identical accuracy, so no arm has learnt anything the others have not at this size.`);
      return;
    }
    out.push(`k = ${k}: ${cells.map(([a, v, ci]) => `${name(a)} ${f1(v)} % [${f1(ci[0])}, ${f1(ci[1])}]`).join('; ')} (chance ${o.chance} %). Highest: ${name(best[0])}${best[1] - o.chance < 5 ? ', within 5 points of chance' : ''}.`);
  });
  const sftFirst = acc('sft', 0);
  const sftLast = acc('sft', r.k.length - 1);
  if (r.k.length > 1 && sftFirst !== null && sftLast !== null) {
    out.push(`SFT (answer only, no extra positions): ${f1(sftFirst)} % at k = ${r.k[0]} → ${f1(sftLast)} % at k = ${r.k.at(-1)} (${signed(sftLast - sftFirst)} points).`);
  }
  const k = /-k(\d+)$/.exec(r.primary.label)?.[1] ?? r.primary.label;
  for (const versus of ['sft', 'pause']) {
    const d = r.primary[versus] as Diff | null | undefined;
    if (!d) continue;
    out.push(`Pre-stated comparison at k = ${k}: ${name(o.primaryArm)} − ${name(versus)} = ${signed(d.diff)} points [${f1(d.ci[0])}, ${f1(d.ci[1])}] — ${verdict(d.ci[0], d.ci[1])}.`);
  }
  const kIndex = r.labels.indexOf(r.primary.label);
  const sftAtK = kIndex >= 0 ? acc('sft', kIndex) : null;
  for (const [arm, byLabel] of Object.entries(r.probes)) {
    const p = byLabel[r.primary.label];
    if (!p) continue;
    const parts: string[] = [];
    for (const probe of ['zeros', 'shuffle']) {
      const e = p[probe];
      if (e) parts.push(`${probe === 'zeros' ? 'zeroed' : 'shuffled'} latents change accuracy by ${signed(-e.drop.diff)} points [${f1(-e.drop.hi)}, ${f1(-e.drop.lo)}]`);
    }
    const own = kIndex >= 0 ? acc(arm, kIndex) : null;
    const zeros = p.zeros;
    if (zeros && own !== null && sftAtK !== null && own - sftAtK >= 5) {
      parts.push(`zeros erase ${Math.round((100 * zeros.drop.diff) / (own - sftAtK))} % of its ${f1(own - sftAtK)}-point gain over SFT`);
    }
    if (p.oracle) parts.push(`oracle hop tokens give ${f1(p.oracle.acc.acc)} %`);
    if (p.counterfactual?.follow !== undefined) parts.push(`with another start cell's hop tokens ${f1(100 * p.counterfactual.follow)} % of answers follow that chain`);
    const hops = p['per-hop']?.perHop;
    if (hops?.length) parts.push(`its generated latent t is nearest to the hop-t cell for ${hops.map(f1).join(' / ')} % of items`);
    if (parts.length) out.push(`${name(arm)} at k = ${k}: ${parts.join('; ')}.`);
  }
  return out;
}

/** The G1 gate of issue 11: the base's probe reads colour and shape of grid cells at ≥ 0.90. */
export const PROBE_GATE = 0.9;

/** Markdown of the base's visual-token probe (`lvr probe --json`): a table per layout and the gate, worded from the numbers. */
export function probeMarkdown(p: VisualProbeReport & { model?: string; fitScenes?: number; testScenes?: number }): string[] {
  const v = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(3));
  const L = [
    `Linear probes from each merged visual token of ${p.model ? `\`${p.model}\`` : 'the base'} to its cell's object (fitted on ${p.fitScenes ?? '?'} scenes per layout, scored on ${p.testScenes ?? '?'} others; fractions of held-out cells; \`marked\` = scenes whose top-scoring cell is the marked one; \`position\` = which cell the token is, from its content alone, chance 1 / 16).`,
    '',
    '| layout | colour | shape | size | marked | position | cells |', '|---|---|---|---|---|---|---|',
    `| grid (one object per 16-px cell, as in chase) | ${v(p.grid.colour)} | ${v(p.grid.shape)} | ${v(p.grid.size)} | ${v(p.grid.marked)} | ${v(p.grid.cell)} | ${p.grid.n} |`,
  ];
  if (p.free) L.push(`| free (3–10 objects, both sizes) | ${v(p.free.colour)} | ${v(p.free.shape)} | ${v(p.free.size)} | ${v(p.free.marked)} | ${v(p.free.cell)} | ${p.free.n} |`);
  const pass = p.colour >= PROBE_GATE && p.shape >= PROBE_GATE;
  L.push('', `Gate G1 (grid colour ≥ ${PROBE_GATE} and shape ≥ ${PROBE_GATE}): ${pass ? 'passed' : 'not passed'} — colour ${v(p.colour)}, shape ${v(p.shape)}${pass ? '' : ': the frozen visual tokens do not reliably carry what chase needs, so chase accuracy is bounded by perception'}.`);
  return L;
}
