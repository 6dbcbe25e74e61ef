import * as tf from '@tensorflow/tfjs';
import { LvrError, ProgressReporter, type ProgressCallback } from '@lvr/core';
import {
  boxesToTokenGroups, buildLivrSequence, buildLvrSftSequence, loadAndPreprocessImage,
  type CollatableSequence, type GridThw, type LvrSftRecord, type LvrTokenizer,
} from '@lvr/data';
import type { ModelConfig } from '../config.js';
import type { MiniQwenVL } from '../models/vlm.js';
import type { TrainExample } from '../training/collate.js';
import { preprocessFor } from './pretrain-data.js';

/** Fine-tuning modes that share one data set (data-matched comparison). */
export type FinetuneMode = 'sft' | 'lvr' | 'livr';

export interface FinetuneDataOptions {
  mode: FinetuneMode;
  /** LVR: `<|lvr|>` tokens per span; omitted = the ROI's token count (the reference). */
  latentCount?: number | undefined;
  /** LVR: insert `<|lvr_latent_end|>` (the released reference data does). Default true. */
  latentEndToken?: boolean | undefined;
  /** LIVR: number of latent tokens K. Default 16. */
  numLatents?: number | undefined;
  onProgress?: ProgressCallback | undefined;
}

/** Image patch rows and the frozen ViT's tokens, cached per image path. */
export interface CachedImage {
  gridThw: GridThw;
  pixelValues: Float32Array;
  /** (numTokens × D) post-merger tokens of the frozen vision tower. */
  tokens: Float32Array;
}

const LVR_PREFIX = /^\s*<lvr>\s*/;

/** The answer text of a record's gpt turn without the `<lvr>` placeholder (SFT / LIVR targets). */
export function answerWithoutLvr(value: string): string {
  return value.replace(LVR_PREFIX, '').replace(/<lvr>\s*/g, '');
}

/**
 * Loads, preprocesses and encodes every image once with the model's (frozen) vision tower.
 * The ViT and merger must stay frozen while these tokens are used.
 */
export async function encodeImagesOnce(model: MiniQwenVL, paths: readonly string[], opts: { batchSize?: number; onProgress?: ProgressCallback | undefined } = {}): Promise<Map<string, CachedImage>> {
  const pre = preprocessFor(model.config);
  const unique = [...new Set(paths)];
  const out = new Map<string, CachedImage>();
  const progress = new ProgressReporter('encode-images', unique.length, opts.onProgress);
  const bs = opts.batchSize ?? 64;
  for (let i = 0; i < unique.length; i += bs) {
    const chunk = unique.slice(i, i + bs);
    const imgs = await Promise.all(chunk.map((p) => loadAndPreprocessImage(p, pre)));
    const tokens = tf.tidy(() => model.encodeImages(imgs.map((im) => ({ pixelValues: im.pixelValues, gridThw: im.gridThw }))).dataSync() as Float32Array);
    let off = 0;
    chunk.forEach((p, k) => {
      const im = imgs[k]!;
      const n = im.numTokens * model.config.hiddenSize;
      out.set(p, { gridThw: im.gridThw, pixelValues: im.pixelValues, tokens: tokens.slice(off, off + n) });
      off += n;
    });
    progress.tick(chunk.length);
  }
  progress.finish();
  return out;
}

function mergedTokens(c: Readonly<ModelConfig>, g: GridThw): number {
  return (g.t * g.h * g.w) / (c.vision.spatialMergeSize * c.vision.spatialMergeSize);
}

/**
 * Builds one training example per record for a mode, from the same records (data-matched): SFT answers
 * without the latent span; LVR expands `<lvr>` to the ROI's tokens (indices from `boxesToTokenGroups`,
 * packed rule); LIVR appends K latent tokens to the question.
 */
export function buildFinetuneExamples(
  c: Readonly<ModelConfig>,
  tokenizer: LvrTokenizer,
  records: readonly LvrSftRecord[],
  images: ReadonlyMap<string, CachedImage>,
  o: FinetuneDataOptions,
): TrainExample[] {
  return records.map((r) => {
    const imgs = r.images.map((p) => {
      const im = images.get(p);
      if (!im) throw new LvrError('INVALID_ARGUMENT', `record ${r.index} (${r.id}): image ${p} was not encoded`);
      return im;
    });
    const counts = imgs.map((im) => mergedTokens(c, im.gridThw));
    const where = `record ${r.index} (${r.id})`;
    let seq: CollatableSequence;
    if (o.mode === 'lvr') {
      const first = imgs[0];
      if (!first) throw new LvrError('DATASET_FORMAT', `${where}: LVR needs an image for its ROI boxes`);
      const groups = boxesToTokenGroups(r.bboxes, first.gridThw, { mergeSize: c.vision.spatialMergeSize });
      seq = buildLvrSftSequence(r.conversations, {
        tokenizer, imageTokenCounts: counts, lvrGroups: groups, where,
        latentEndToken: o.latentEndToken ?? true,
        ...(o.latentCount !== undefined ? { fixedLatentCount: o.latentCount } : {}),
      });
    } else if (o.mode === 'sft') {
      const conv = r.conversations.map((t) => (t.from === 'gpt' ? { from: t.from, value: answerWithoutLvr(t.value) } : t));
      seq = buildLvrSftSequence(conv, { tokenizer, imageTokenCounts: counts, lvrGroups: [], where });
    } else {
      if (r.conversations.length !== 2) throw new LvrError('DATASET_FORMAT', `${where}: LIVR expects one question and one answer`);
      seq = buildLivrSequence({
        tokenizer, question: r.conversations[0]!.value, answer: answerWithoutLvr(r.conversations[1]!.value),
        imageTokenCounts: counts, numLatents: o.numLatents ?? 16, where,
      });
    }
    return { seq, images: imgs.map((im) => ({ gridThw: im.gridThw, tokens: im.tokens })) };
  });
}
