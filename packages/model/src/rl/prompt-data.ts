import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathExists, LvrError, ProgressReporter, type ProgressCallback } from '@lvr/core';
import {
  SUITE_FILES, loadAndPreprocessImage, readGrpoDataset, readLvrSftMeta, readSyntheticTestSet, type LvrTokenizer,
} from '@lvr/data';
import { buildRolloutPrompt, type RolloutPrompt } from '@lvr/rl';
import type { ModelConfig } from '../config.js';
import { answerWithoutLvr } from '../recipes/finetune-data.js';
import { preprocessFor } from '../recipes/pretrain-data.js';

/** One RL prompt before tokenisation: image, question and the ground truth the rewards read. */
export interface GrpoPromptRecord {
  readonly id: string;
  /** Absolute image path. */
  readonly image: string;
  readonly question: string;
  /** e.g. `"<answer>4</answer>"`. */
  readonly solution: string;
  readonly options?: readonly string[] | undefined;
  readonly answerLetter?: string | undefined;
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

/** Options of {@link readGrpoPrompts}. */
export interface GrpoPromptSource {
  /**
   * A GRPO JSON file (lvr-reference.md §2.2), a synthetic suite folder (`suite.json`), or an LVR SFT meta file /
   * folder with `meta.json` (its gpt turns, without `<lvr>`, become the solutions).
   */
  data: string;
  /** Suite folders: `train` (default; `train.json` questions, word answers) or `test` (`test.jsonl`, with options). */
  split?: 'train' | 'test';
  /** Image folder of a GRPO JSON file (default: the file's folder). */
  imageFolder?: string;
}

const IMAGE_RE = /\n?<image>\n?/g;

/**
 * Reads RL prompts from a GRPO JSON file, a synthetic suite or an LVR SFT meta file (see {@link GrpoPromptSource}).
 * Records that cannot be used fail with `DATASET_FORMAT` naming the file and record.
 *
 * @example
 * const records = await readGrpoPrompts({ data: 'runs/demo/suite' }); // train questions with "<answer> red </answer>"
 */
export async function readGrpoPrompts(src: GrpoPromptSource): Promise<GrpoPromptRecord[]> {
  const data = src.data;
  const isDir = await stat(data).then((s) => s.isDirectory(), (cause) => {
    throw new LvrError('IO_ERROR', `RL data ${data} cannot be read`, { cause, details: { file: data } });
  });
  if (isDir && (src.split ?? 'train') === 'test') {
    if (!(await pathExists(join(data, SUITE_FILES.test)))) throw new LvrError('DATASET_FORMAT', `${data}: split 'test' needs ${SUITE_FILES.test} (a synthetic suite)`);
    return (await readSyntheticTestSet(data)).map((r) => ({
      id: r.id, image: join(data, r.image), question: r.question, solution: `<answer> ${r.answer_word} </answer>`,
      options: r.options, answerLetter: r.answer, extra: { task: r.task, category: r.category },
    }));
  }
  const metaPath = isDir ? join(data, SUITE_FILES.meta) : data;
  if (isDir || (await isMetaFile(metaPath))) {
    const entries = await readLvrSftMeta(metaPath, { checkImages: 'none' });
    return entries.flatMap((e) => e.records).map((r) => {
      const turns = r.conversations;
      if (turns.length !== 2 || r.images.length !== 1) {
        throw new LvrError('DATASET_FORMAT', `${metaPath}: record ${r.index} (${r.id}) needs one image and one question/answer pair for RL`, {
          details: { file: metaPath, index: r.index },
        });
      }
      return {
        id: r.id, image: r.images[0] as string, question: (turns[0]?.value ?? '').replace(IMAGE_RE, ''),
        solution: answerWithoutLvr(turns[1]?.value ?? '').trim(), extra: r.extra,
      };
    });
  }
  const { records } = await readGrpoDataset(data, { imageFolder: src.imageFolder ?? dirname(data), checkImages: 'none' });
  return records.map((r) => ({ id: r.id, image: r.image, question: r.question, solution: r.answer, extra: r.extra }));
}

/** An LVR meta file is a JSON array of `{ data_path, image_folder }` entries; a GRPO file holds records. */
async function isMetaFile(path: string): Promise<boolean> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return Array.isArray(v) && v.length > 0 && typeof (v[0] as { data_path?: unknown }).data_path === 'string';
  } catch {
    return false;
  }
}

/**
 * Loads and preprocesses every record's image for the model and builds its rollout prompt (the reference's GRPO
 * chat layout, image before the question).
 *
 * @example
 * const prompts = await prepareRolloutPrompts(model.config, tokenizer, records);
 */
export async function prepareRolloutPrompts(
  c: Readonly<ModelConfig>,
  tokenizer: LvrTokenizer,
  records: readonly GrpoPromptRecord[],
  opts: { onProgress?: ProgressCallback | undefined } = {},
): Promise<RolloutPrompt[]> {
  const pre = preprocessFor(c);
  const progress = new ProgressReporter('load-prompts', records.length, opts.onProgress);
  const out: RolloutPrompt[] = [];
  for (const r of records) {
    const im = await loadAndPreprocessImage(r.image, pre);
    const inputIds = buildRolloutPrompt(tokenizer, { question: r.question, imageTokenCounts: [im.numTokens] });
    out.push({
      prompt: { inputIds, images: [{ pixelValues: im.pixelValues, gridThw: im.gridThw }] },
      sample: { id: r.id, solution: r.solution, question: r.question, options: r.options, answerLetter: r.answerLetter, extra: r.extra },
    });
    progress.tick();
  }
  progress.finish();
  return out;
}
