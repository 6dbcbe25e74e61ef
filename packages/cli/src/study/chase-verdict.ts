import type { StudyTable } from './chase-table.js';

/** A gate or falsifier of docs/results.md, evaluated on a study's numbers. */
export interface VerdictLine {
  id: string;
  /** `true` = the gate holds / the falsifier holds (i.e. the negative finding is true); `undefined` = not measurable. */
  holds: boolean | undefined;
  text: string;
}

/** The arms whose latents are self-generated (the candidates for "the best LVR arm"). */
export const LVR_ARMS = ['ptr-argmax', 'ptr-mix', 'lvr-ref', 'lvr-selffed'] as const;

const f1 = (x: number): string => x.toFixed(1);

/**
 * Gate G2 and falsifiers F1–F4 of the pre-registered design, worded from the numbers at `label` (chase k = 3):
 * G2 — oracle-latent accuracy of the teacher-forced pointer model ≥ SFT + 25; F1 — the task does not separate the
 * arms even with oracle latents; F2 — the best self-generated LVR arm < SFT + 3 with per-hop decodability < 50 %;
 * F3 — Pause-K within the CI of that arm; F4 — zeros / shuffle remove less than half of its gain over SFT.
 *
 * @example
 * studyVerdict(table, 'chase-k3').map((v) => v.text);
 */
export function studyVerdict(t: StudyTable, label: string): VerdictLine[] {
  const acc = (arm: string): number | undefined => t.arms.find((a) => a.name === arm)?.cells[label]?.acc;
  const sft = acc('sft');
  const out: VerdictLine[] = [];
  // G2 as pre-stated: the teacher-forced pointer model fed oracle latents. F1 asks whether ANY arm's oracle latents separate.
  const oracles = t.arms.map((a) => ({ a: a.name, label: a.label, v: t.probes[a.name]?.[label]?.oracle?.acc.acc })).filter((x): x is { a: string; label: string; v: number } => x.v !== undefined);
  const pre = oracles.find((x) => x.a === 'ptr-argmax') ?? oracles.find((x) => x.a === 'lvr-ref');
  if (sft === undefined || !pre) {
    out.push({ id: 'G2', holds: undefined, text: `G2 (oracle latents ≥ SFT + 25 at ${label}): not measurable (needs SFT and an oracle probe).` });
  } else {
    const ok = pre.v >= sft + 25;
    const others = oracles.filter((x) => x !== pre).map((x) => `${x.label} ${f1(x.v)} %`).join(', ');
    out.push({ id: 'G2', holds: ok, text: `G2 (oracle latents of the teacher-forced ${pre.a} model ≥ SFT + 25 at ${label}): ${ok ? 'holds' : 'fails'} — ${f1(pre.v)} % vs SFT ${f1(sft)} % (Δ ${f1(pre.v - sft)})${others ? `; oracle-fed other arms: ${others}` : ''}.` });
    const best = oracles.reduce((x, y) => (y.v > x.v ? y : x));
    const sep = best.v >= sft + 25;
    out.push({ id: 'F1', holds: !sep, text: `F1 (the task does not separate the arms even with oracle latents): ${sep ? `does not hold — oracle-fed ${best.label} reaches ${f1(best.v)} %` : 'HOLDS'}.` });
  }
  const cands = LVR_ARMS.map((a) => ({ a, v: acc(a) })).filter((x): x is { a: (typeof LVR_ARMS)[number]; v: number } => x.v !== undefined);
  if (sft === undefined || cands.length === 0) return out;
  const best = cands.reduce((x, y) => (y.v > x.v ? y : x));
  const hops = t.probes[best.a]?.[label]?.['per-hop']?.perHop;
  const meanHop = hops && hops.length ? hops.reduce((s, x) => s + x, 0) / hops.length : undefined;
  const f2 = best.v < sft + 3 && (meanHop === undefined || meanHop < 50);
  out.push({
    id: 'F2', holds: f2,
    text: `F2 (self-generated latents < SFT + 3 with per-hop decodability < 50 %): ${f2 ? 'HOLDS' : 'does not hold'} — best LVR arm ${best.a} ${f1(best.v)} % vs SFT ${f1(sft)} %` +
      `${meanHop !== undefined ? `, mean per-hop decodability ${f1(meanHop)} %` : ''}.`,
  });
  const vsPause = t.comparisons.find((c) => c.arm === best.a && c.versus === 'pause' && c.label === label)?.stat;
  if (vsPause) {
    const f3 = vsPause.lo <= 0 && vsPause.hi >= 0;
    out.push({ id: 'F3', holds: f3, text: `F3 (Pause-K within the CI of the best LVR arm): ${f3 ? 'HOLDS' : 'does not hold'} — ${best.a} − Pause-K = ${f1(vsPause.diff)} [${f1(vsPause.lo)}, ${f1(vsPause.hi)}].` });
  }
  const gain = best.v - sft;
  const drops = (['zeros', 'shuffle'] as const).map((p) => ({ p, d: t.probes[best.a]?.[label]?.[p]?.drop.diff })).filter((x): x is { p: 'zeros' | 'shuffle'; d: number } => x.d !== undefined);
  if (gain > 3 && drops.length > 0) {
    const f4 = drops.some((x) => x.d < gain / 2);
    out.push({
      id: 'F4', holds: f4,
      text: `F4 (zeros / shuffle remove less than half of the gain): ${f4 ? 'HOLDS' : 'does not hold'} — gain over SFT ${f1(gain)} points; ` +
        `${drops.map((x) => `${x.p} removes ${f1(x.d)} (${f1((100 * x.d) / gain)} % of it)`).join(', ')}.`,
    });
  }
  return out;
}
