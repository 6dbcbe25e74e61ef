import type { FinetuneOptions } from '@lvr/model';
import { UsageError } from '../args.js';

/**
 * One row of the ablation: a fine-tuning recipe run from the shared base on the shared records for every seed.
 * LVR rows are evaluated at fixed `evalSteps` latents (forced `<|lvr_end|>`) plus the latent-reliance probes;
 * `adaptive` rows also run fixed 1 / 4 / 8 and the adaptive stop strategies (`converge`, `end-prob`).
 */
export interface AblationVariant {
  name: string;
  label: string;
  mode: 'sft' | 'lvr' | 'livr';
  /** One sentence for the report. */
  description: string;
  /** Fine-tuning options beyond the shared ones (objective, latent count, LIVR K). */
  finetune: Pick<FinetuneOptions, 'objective' | 'latentCount' | 'numLatents' | 'livrStage1Fraction'>;
  /** The demo's current LVR recipe (kept beside the best variant in the report). */
  reference?: boolean;
  /** Also measure accuracy vs latent steps (fixed 1/4/8 and the adaptive strategies). */
  adaptive?: boolean;
}

/** Latents per span at evaluation (and at training for the fixed-T variants). */
export const EVAL_LATENTS = 4;

const T = EVAL_LATENTS;
const SELF_FEED = { from: 0, to: 1, until: 0.8, stages: 4, grad: true, passes: 1 } as const;

/** Every variant `lvr ablate` knows, in report order. */
export const ABLATION_VARIANTS: readonly AblationVariant[] = Object.freeze([
  { name: 'sft', label: 'SFT', mode: 'sft', description: 'cross-entropy on the answer, no latent span (the data-matched baseline)', finetune: {} },
  { name: 'livr', label: 'LIVR K=16', mode: 'livr', description: '16 learned latent tokens, bottleneck mask for the first 40 % of steps', finetune: { numLatents: 16, livrStage1Fraction: 0.4 } },
  {
    name: 'lvr-ref', label: 'LVR reference', mode: 'lvr', reference: true, adaptive: true,
    description: 'the demo recipe: λ = 0.1, MSE on raw ROI tokens, span = the ROI’s token count, teacher forcing',
    finetune: { objective: { lvrLambda: 0.1, lvrLoss: 'mse' } },
  },
  {
    name: 'lvr-t4', label: 'LVR λ=1 T=4', mode: 'lvr', adaptive: true,
    description: 'λ = 1, MSE, a fixed span of 4 latents (the feasibility study’s best LVR setting)',
    finetune: { objective: { lvrLambda: 1, lvrLoss: 'mse' }, latentCount: T },
  },
  {
    name: 'lvr-ccos', label: 'LVR centred cosine', mode: 'lvr',
    description: 'λ = 1, 1 − cos between prediction and target after subtracting the image’s mean token, T = 4',
    finetune: { objective: { lvrLambda: 1, lvrLoss: 'cosine', lvrTarget: 'centred' }, latentCount: T },
  },
  {
    name: 'lvr-infonce', label: 'LVR InfoNCE', mode: 'lvr',
    description: 'λ = 1, InfoNCE (centred cosine / τ = 0.1) against the other visual tokens of the image, T = 4',
    finetune: { objective: { lvrLambda: 1, lvrLoss: 'infonce', lvrTarget: 'centred', lvrTemperature: 0.1 }, latentCount: T },
  },
  {
    name: 'lvr-pointer', label: 'LVR + pointer', mode: 'lvr',
    description: 'λ = 1 MSE plus a pointer loss (weight 1) at <|lvr_start|> toward the ROI tokens, T = 4',
    finetune: { objective: { lvrLambda: 1, lvrLoss: 'mse', pointerLambda: 1 }, latentCount: T },
  },
  {
    name: 'lvr-selffeed', label: 'LVR self-fed', mode: 'lvr',
    description: 'λ = 1 MSE, T = 4, latents self-fed with p ramping 0 → 1 in 4 Coconut-style stages over 80 % of training',
    finetune: { objective: { lvrLambda: 1, lvrLoss: 'mse', selfFeed: SELF_FEED }, latentCount: T },
  },
  {
    name: 'lvr-combo', label: 'LVR InfoNCE + pointer + self-fed', mode: 'lvr', adaptive: true,
    description: 'InfoNCE (centred, τ = 0.1) + pointer + the self-feeding curriculum, T = 4',
    finetune: { objective: { lvrLambda: 1, lvrLoss: 'infonce', lvrTarget: 'centred', lvrTemperature: 0.1, pointerLambda: 1, selfFeed: SELF_FEED }, latentCount: T },
  },
] satisfies AblationVariant[]);

/** The default selection of `lvr ablate` (all of them). */
export const DEFAULT_VARIANTS: readonly string[] = Object.freeze(ABLATION_VARIANTS.map((v) => v.name));

/**
 * Looks up variants by name (a `UsageError` naming the unknown one). `sft` is always included: every verdict is
 * relative to it.
 *
 * @example
 * selectVariants(['lvr-ref', 'lvr-infonce']).map((v) => v.name); // ['sft', 'lvr-ref', 'lvr-infonce']
 */
export function selectVariants(names: readonly string[]): AblationVariant[] {
  for (const n of names) {
    if (!ABLATION_VARIANTS.some((v) => v.name === n)) throw new UsageError(`unknown variant "${n}"; known: ${DEFAULT_VARIANTS.join(', ')}`);
  }
  const want = new Set(['sft', ...names]);
  return ABLATION_VARIANTS.filter((v) => want.has(v.name));
}
