import { LvrError, ProgressReporter, createLogger, type ProgressCallback } from '@lvr/core';
import {
  DEFAULT_STOP_STRATEGY, generate, vocabPaddingIds,
  type GenerateResult, type LatentFeedbackSpec, type StepImage, type StepModel, type StopStrategyConfig,
} from '@lvr/decoding';
import { buildPromptIds, loadAndPreprocessImage, resolveDecodeLimits, resolvePreprocessOptions, type ImageDecodeOptions, type LvrTokenizer, type PreprocessOptions } from '@lvr/data';
import type { McqItem } from '../item.js';
import { buildMcqPrompt } from '../prompt/prompt.js';
import { extractAnswer } from '../extract/extract.js';
import { answerConstraint, chosenOption, type AnswerFormatIds, type EvalMethod } from './answer-protocol.js';
import { lvrLatentTransform, PROBES_FEEDING, type ProbeKind } from './probes.js';
import { encodeItemVisuals, hopDecodability, probeFeedVectors, roiHits } from './item-visual.js';

const log = createLogger('lvr:eval');

/** A model as the evaluation runner sees it: a step model plus how it was trained to be prompted. */
export interface EvalModel {
  stepModel: StepModel;
  tokenizer: LvrTokenizer;
  /** Preprocessing matching the model's vision tower (patch / merge size, pixel budget). */
  preprocess: PreprocessOptions;
  method: EvalMethod;
  /** LIVR: latent tokens K appended to the question (as in training). */
  numLatents?: number | undefined;
  /**
   * LVR: what a latent step feeds back, as trained (`OpenedModel.feedback`; default `hidden`). Probes act on the
   * vector it chooses.
   */
  feedback?: LatentFeedbackSpec | undefined;
}

export interface EvaluateOptions {
  /** Stop strategy of LVR's latent spans (default `@lvr/decoding`'s `DEFAULT_STOP_STRATEGY`: 8 steps, forced `<|lvr_end|>`). */
  strategy?: StopStrategyConfig | undefined;
  probe?: ProbeKind | undefined;
  /** Latent vectors each item fed in the normal run (the `shuffle` and `first-repeat` probes): `EvaluateResult.latents`. */
  reference?: ReadonlyMap<string, readonly Float32Array[]> | undefined;
  batchSize?: number | undefined;
  maxNewTokens?: number | undefined;
  seed?: number | undefined;
  onProgress?: ProgressCallback | undefined;
  /**
   * `word` (default for the synthetic suite): the constrained word protocol; `letter` (default for real
   * benchmarks): the reference prompt (options as `A. text` lines + "Answer with the option's letter…"), free
   * generation, then `extractAnswer`'s ordered rules.
   */
  protocol?: 'word' | 'letter' | undefined;
  /**
   * LVR: measure `roi_hit` — per item, the fraction of generated latents whose nearest visual token (L2, and
   * centred cosine) lies in the item's ROI (`EvalRecord.roiHitL2` / `roiHitCos`). Needs `StepModel.encodeImages`
   * and items with a `roi`. Default false.
   */
  roiHit?: boolean | undefined;
  /**
   * LVR: per-hop decodability — for items with `hops` and `rois` (chase), per hop t whether the t-th generated latent's nearest
   * visual token (by dot product = the pointer argmax, and by L2) is the token of `rois[t]`
   * (`EvalRecord.hopHitDot` / `hopHitL2`). Measured on the vectors actually fed (with hidden-state feedback
   * the latent itself; with pointer feedback the dot measure is the trace's recorded pointer argmax of the raw
   * latent, and with pointer-argmax the fed token's L2-nearest token is that same choice).
   * Needs `StepModel.encodeImages`. Default false.
   */
  hopDecode?: boolean | undefined;
  /**
   * Decode limits of the items' images (`maxInputPixels`, default 40 Mpx; `allowVector`, default false;
   * `decodeBudget`, default the process-wide 512 MiB), as `loadImage` of @lvr/data takes them.
   */
  imageDecode?: ImageDecodeOptions | undefined;
}

/** One evaluated item (what the results JSONL stores, minus the latent vectors). */
export interface EvalRecord {
  id: string;
  benchmark: string;
  category: string;
  pairId?: string | undefined;
  method: EvalMethod;
  strategy: string;
  probe: ProbeKind;
  /** Correct letter. */
  answer: string;
  /** Predicted letter, or null when unparsed. */
  prediction: string | null;
  /** Which rule produced the letter (`constrained-word`, or an extraction rule). */
  rule: string;
  correct: boolean;
  /** The generated text (special tokens kept). */
  text: string;
  /** Latent vectors fed in total, and per span stop reasons. */
  latentSteps: number;
  stopReasons: string[];
  /** `roi_hit` with the L2-nearest visual token (only with `roiHit`, and when latents were generated). */
  roiHitL2?: number | undefined;
  /** `roi_hit` with the nearest token by cosine after centring on the image's mean token. */
  roiHitCos?: number | undefined;
  /** The item's hop count k (items with `hops`). */
  hops?: number | undefined;
  /** `counterfactual` probe: whether the answer is the counterfactual chain's answer word. */
  followed?: boolean | undefined;
  /** Per-hop decodability (only with `hopDecode`, items with `rois`): per hop t, nearest token by dot product is hop t's. */
  hopHitDot?: boolean[] | undefined;
  /** Per hop t, the L2-nearest visual token is hop t's. */
  hopHitL2?: boolean[] | undefined;
}

export interface EvaluateResult {
  records: EvalRecord[];
  /** Per item id, the latent vectors fed (LVR), for probes and visualisations. */
  latents: Map<string, Float32Array[]>;
  /** Per item id, the raw trace. */
  traces: Map<string, GenerateResult>;
}

/** Human-readable name of a strategy config (`fixed:8`, `latent-end`, …). */
export function strategyName(s: StopStrategyConfig | undefined, method: EvalMethod): string {
  if (method !== 'lvr') return '-';
  if (!s) return strategyName(DEFAULT_STOP_STRATEGY, method);
  const rec = s as unknown as Record<string, unknown>;
  const n = rec.steps ?? rec.maxSteps;
  return n === undefined ? String(s.kind) : `${String(s.kind)}:${String(n)}`;
}

const imageCache = new Map<string, Promise<StepImage>>();

/**
 * An item's images, loaded and preprocessed concurrently (as the whole batch's are): the decode budget of
 * `loadAndPreprocessImage` bounds how many are decoded at once, by their size.
 */
async function loadItemImages(item: McqItem, pre: PreprocessOptions, decode: ImageDecodeOptions): Promise<StepImage[]> {
  const limits = resolveDecodeLimits(decode);
  return Promise.all(item.images.map((ref) => {
    const key = ref.kind === 'file' ? `${ref.path}|${JSON.stringify(pre)}|${limits.maxInputPixels}|${limits.allowVector}` : undefined;
    const load = async (): Promise<StepImage> => {
      const p = await loadAndPreprocessImage(ref.kind === 'file' ? ref.path : ref.bytes, pre, ref.kind === 'bytes' ? { ...decode, name: ref.name } : decode);
      return { pixelValues: p.pixelValues, gridThw: p.gridThw };
    };
    if (!key) return load();
    let hit = imageCache.get(key);
    if (!hit) {
      hit = load();
      if (imageCache.size > 4096) imageCache.clear();
      imageCache.set(key, hit);
    }
    return hit;
  }));
}

function formatIds(tok: LvrTokenizer): AnswerFormatIds {
  const lvr = tok.requireLvr();
  const open = tok.tokenToId('<answer>', { required: true }) as number;
  const close = tok.tokenToId('</answer>', { required: true }) as number;
  const nl = tok.encode('\n');
  return { answerOpen: open, answerClose: close, newline: nl.length === 1 ? nl[0] : undefined, lvrStart: lvr.lvrStart, lvrLatentEnd: lvr.lvrLatentEnd, lvrEnd: lvr.lvrEnd };
}

function optionIds(tok: LvrTokenizer, item: McqItem): number[] {
  return item.options.map((o, i) => {
    const ids = tok.encode(o);
    if (ids.length !== 1) {
      throw new LvrError('UNSUPPORTED', `item ${item.id}: option ${i} "${o}" is ${ids.length} tokens; the word protocol needs single-token options (the synthetic suite's)`);
    }
    return ids[0] as number;
  });
}

/**
 * Evaluates items with the constrained word protocol (see `answerConstraint`): batched generation through
 * `@lvr/decoding` with the model's own latent loop, then the chosen option word → letter.
 *
 * @example
 * const { records } = await evaluateItems({ stepModel, tokenizer, preprocess, method: 'lvr' }, items, { strategy: { kind: 'fixed', steps: 4, forceEnd: true } });
 */
export async function evaluateItems(model: EvalModel, items: readonly McqItem[], o: EvaluateOptions = {}): Promise<EvaluateResult> {
  const tok = model.tokenizer;
  const fmt = formatIds(tok);
  const probe = o.probe ?? 'none';
  const strategy = o.strategy ?? DEFAULT_STOP_STRATEGY;
  const batchSize = o.batchSize ?? 16;
  const seed = o.seed ?? 0;
  const method = model.method;
  if (probe === 'bottleneck' && method !== 'livr') throw new LvrError('INVALID_ARGUMENT', 'the bottleneck probe applies to LIVR models');
  const records: EvalRecord[] = [];
  const latents = new Map<string, Float32Array[]>();
  const traces = new Map<string, GenerateResult>();
  const progress = new ProgressReporter(`eval ${method}${probe === 'none' ? '' : ` (${probe})`}`, items.length, o.onProgress);
  const allIds = items.map((it) => it.id);
  const merge = resolvePreprocessOptions(model.preprocess).mergeSize;
  const numLatents = method === 'livr' ? (probe === 'skip' ? 0 : (model.numLatents ?? 16)) : 0;
  const feedsRoi = PROBES_FEEDING.includes(probe);
  if ((feedsRoi || probe === 'first-repeat' || probe === 'markers-only') && method !== 'lvr') throw new LvrError('INVALID_ARGUMENT', `the ${probe} probe applies to LVR models`);
  const needsVisual = method === 'lvr' && (feedsRoi || o.roiHit === true || o.hopDecode === true);
  if (needsVisual && !model.stepModel.encodeImages) throw new LvrError('UNSUPPORTED', `the ${feedsRoi ? probe : o.roiHit ? 'roi_hit' : 'per-hop decodability'} measurement needs a step model with encodeImages (${model.stepModel.backend} has none)`);
  for (let start = 0; start < items.length; start += batchSize) {
    const chunk = items.slice(start, start + batchSize);
    const protocols = chunk.map((it) => o.protocol ?? (it.benchmark === 'synthetic' ? 'word' : 'letter'));
    const opts = chunk.map((it, i) => (protocols[i] === 'word' ? optionIds(tok, it) : []));
    const constraints = chunk.map((_, i) => (protocols[i] === 'word' ? answerConstraint(method, fmt, opts[i] as number[]) : () => undefined));
    const chunkImages: StepImage[][] = [];
    const requests = await Promise.all(chunk.map(async (it, i) => {
      const images = await loadItemImages(it, model.preprocess, o.imageDecode ?? {});
      chunkImages[i] = images;
      const counts = images.map((im) => (im.gridThw.t * im.gridThw.h * im.gridThw.w) / (merge * merge));
      const text = protocols[i] === 'word' ? it.question : buildMcqPrompt(it, { style: 'reference' });
      const question = `${'<image>\n'.repeat(images.length)}${text}`;
      const inputIds = buildPromptIds({ tokenizer: tok, question, imageTokenCounts: counts, numLatents });
      const overrides = method === 'livr' && probe === 'zeros'
        ? tok.special.livrLatents.slice(0, numLatents).map((id) => inputIds.indexOf(id)).map((position) => ({ position, vector: new Float32Array(model.stepModel.hiddenSize) }))
        : undefined;
      return { prompt: { inputIds, images, embeddingOverrides: overrides, imageBottleneck: probe === 'bottleneck' }, seed: seed + start + i };
    }));
    const visual = needsVisual ? await encodeItemVisuals(model.stepModel, chunk, chunkImages, merge) : undefined;
    const feed = feedsRoi && visual ? new Map(visual.map((v) => [v.id, probeFeedVectors(probe, v)] as const)) : undefined;
    const results = await generate(model.stepModel, requests, {
      strategy: method === 'lvr' ? strategy : { kind: 'fixed', steps: 1 },
      sampler: { kind: 'greedy' },
      maxNewTokens: o.maxNewTokens ?? 64,
      eosIds: [model.stepModel.tokens.eosId, fmt.answerClose],
      seed,
      // The model's embedding has padding rows past the tokenizer (like Qwen's): never sample them.
      suppressIds: vocabPaddingIds(model.stepModel.vocabSize, tok.vocabSize),
      livr: method === 'livr' ? true : undefined,
      skipLatent: method === 'lvr' && (probe === 'skip' || probe === 'markers-only'),
      feedback: method === 'lvr' ? model.feedback : undefined,
      latentTransform: method === 'lvr' ? lvrLatentTransform(probe, chunk.map((it) => it.id), { seed, reference: o.reference, allIds, feed }) : undefined,
      allowedTokens: (row, out) => constraints[row]!(out),
    });
    results.forEach((r, i) => {
      const it = chunk[i] as McqItem;
      // Tokens sampled at latent positions were never fed (placeholders): the answer is read from the fed ones.
      const fedIds = r.outputIds.filter((_, j) => r.inputs[j] !== 'latent');
      const text = tok.decode(fedIds);
      let prediction: string | null;
      let rule: string;
      if (protocols[i] === 'word') {
        const k = chosenOption(fedIds, fmt.answerOpen, opts[i] as number[]);
        prediction = k >= 0 ? String.fromCharCode(65 + k) : null;
        rule = k >= 0 ? 'constrained-word' : 'unparsed';
      } else {
        const ex = extractAnswer(text, it.options, { mode: 'default' });
        prediction = ex.letter;
        rule = ex.rule;
      }
      const vectors = r.latentSpans.flatMap((s) => s.vectors.map((v) => Float32Array.from(v)));
      const v = visual?.[i];
      // Pointer feedbacks record the argmax token of each raw latent (LatentSpan.pointer): the dot measure uses it.
      const pointers = r.latentSpans.flatMap((s) => (s as { pointer?: readonly number[] }).pointer ?? []);
      const hop = o.hopDecode && v?.hops && it.hops !== undefined ? hopDecodability(vectors, v.tokens, v.d, v.hops, pointers.length ? pointers : undefined) : undefined;
      const cf = probe === 'counterfactual' ? it.counterfactual : undefined;
      const predictedWord = prediction === null ? undefined : it.options[prediction.charCodeAt(0) - 65];
      latents.set(it.id, vectors);
      traces.set(it.id, r);
      records.push({
        id: it.id, benchmark: it.benchmark, category: it.category, pairId: it.pairId, method,
        strategy: strategyName(strategy, method), probe, answer: it.answer, prediction, rule, correct: prediction === it.answer,
        text, latentSteps: vectors.length, stopReasons: r.latentSpans.map((s) => s.stopReason),
        ...(o.roiHit && v ? roiHits(vectors, v) : {}),
        ...(it.hops !== undefined ? { hops: it.hops } : {}),
        ...(cf ? { followed: predictedWord === cf.answerWord } : {}),
        ...(hop ? { hopHitDot: hop.dot, hopHitL2: hop.l2 } : {}),
      });
    });
    progress.tick(chunk.length);
  }
  progress.finish();
  log.info('evaluated', { method, probe, items: items.length, accuracy: records.filter((r) => r.correct).length / Math.max(1, records.length) });
  return { records, latents, traces };
}
