import { LvrError } from '@lvr/core';
import type { CacheHandle, DecodingTokenIds, PrefillRow, StepInput, StepModel, StepOutput } from '../step-model.js';

/** Token ids of the stub's 32-word vocabulary (ids 10..31 are free "words" for scripts). */
export const STUB_TOKENS: DecodingTokenIds = Object.freeze({
  padId: 0, eosId: 1, lvrStartId: 2, lvrId: 3, lvrLatentEndId: 4, lvrEndId: 5, latentIds: Object.freeze([6, 7, 8, 9]),
});

/** What the stub received at one absolute position of one row. */
export interface StubInputRecord {
  /** Absolute position in the row (its prompt occupies 0..P−1). */
  readonly position: number;
  /** The input, with embedding vectors copied at the time they were received. */
  readonly input: StepInput;
}

/** Per-row context the stub's hooks receive. */
export interface StubRowContext {
  /** Row index within the current batch. */
  readonly row: number;
  readonly prompt: Int32Array;
  /** Absolute position whose output is being computed. */
  readonly position: number;
  /** Everything fed to this row after the prompt so far (the newest last). */
  readonly received: readonly StubInputRecord[];
}

/** Options of {@link ScriptedStepModel}. */
export interface ScriptedStepModelOptions {
  /**
   * Per row, the tokens the stub "wants" at absolute positions P, P+1, … (P = that row's prompt length): the
   * output at position q puts the largest logit on `script[q + 1 − P]`. An array is matched to batch rows by
   * order; a function is called with each prompt.
   */
  readonly scripts: readonly (readonly number[])[] | ((prompt: Int32Array, row: number) => readonly number[]);
  /** Token wanted after a script runs out (default the EOS id). */
  readonly afterScript?: number;
  /** Logit of the scripted token (others get 0; default 10). */
  readonly margin?: number;
  readonly vocabSize?: number;
  readonly hiddenSize?: number;
  readonly tokens?: DecodingTokenIds;
  readonly latentEndEmbedding?: Float32Array;
  /** Hidden state of a position (default: `[position, cos(position), cos(2·position), …]`, so `hidden[0] = q`). */
  readonly hidden?: (ctx: StubRowContext) => Float32Array;
  /** The latent output from the hidden state (default: the hidden state itself, as a model without LVR head). */
  readonly latent?: (hidden: Float32Array, ctx: StubRowContext) => Float32Array;
  /** Replaces the scripted logits entirely (V values). */
  readonly logits?: (ctx: StubRowContext, scripted: Float32Array) => Float32Array;
}

interface StubCache extends CacheHandle {
  readonly id: number;
  length: number;
}

/**
 * A scripted, deterministic {@link StepModel} for tests: logits whose argmax follows a per-row script, hidden
 * states that encode the absolute position (`hidden[0] = position`), and a record of every input it receives.
 * Rows are independent (a row's outputs depend only on its own prompt, position and inputs).
 *
 * @example
 * const model = new ScriptedStepModel({ scripts: [[S, 10, 11, 12, E, 13, EOS]] });
 * const [trace] = await generate(model, [{ prompt: { inputIds: Int32Array.of(20, 21, 22) } }], { strategy: { kind: 'fixed', steps: 3 } });
 * model.received[0]; // [{ position: 3, input: { kind: 'token', id: S } }, { position: 4, input: { kind: 'embedding', … } }, …]
 */
export class ScriptedStepModel implements StepModel {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly tokens: DecodingTokenIds;
  readonly latentEndEmbedding: Float32Array | undefined;
  readonly backend = 'stub';
  /** Per batch row of the latest prefill: every step input received, with its absolute position. */
  received: StubInputRecord[][] = [];
  /** Prompts of the latest prefill. */
  prompts: Int32Array[] = [];
  /** Number of `step` calls since the latest prefill. */
  steps = 0;
  /** Ids of released caches. */
  readonly released: number[] = [];
  private scriptsOfBatch: (readonly number[])[] = [];
  private nextCacheId = 0;
  private live: StubCache | undefined;

  constructor(private readonly options: ScriptedStepModelOptions) {
    this.vocabSize = options.vocabSize ?? 32;
    this.hiddenSize = options.hiddenSize ?? 4;
    this.tokens = options.tokens ?? STUB_TOKENS;
    this.latentEndEmbedding = options.latentEndEmbedding;
  }

  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput & { cache: CacheHandle }> {
    const { scripts } = this.options;
    this.prompts = rows.map((r) => r.inputIds.slice());
    this.scriptsOfBatch = rows.map((r, i) => {
      const s = typeof scripts === 'function' ? scripts(r.inputIds, i) : scripts[i];
      if (s === undefined) throw new LvrError('INVALID_ARGUMENT', `stub: no script for batch row ${i}`, { details: { row: i } });
      return s;
    });
    this.received = rows.map(() => []);
    this.steps = 0;
    const maxLen = Math.max(...rows.map((r) => r.inputIds.length));
    const cache: StubCache = { id: this.nextCacheId++, batchSize: rows.length, length: maxLen };
    this.live = cache;
    return { ...this.outputs(rows.map((r) => r.inputIds.length - 1)), cache };
  }

  async step(cache: CacheHandle, inputs: readonly StepInput[]): Promise<StepOutput> {
    const c = cache as StubCache;
    if (c !== this.live || this.released.includes(c.id)) {
      throw new LvrError('INVALID_ARGUMENT', 'stub: step on a cache that is not the live one (released or stale)');
    }
    if (inputs.length !== c.batchSize) {
      throw new LvrError('SHAPE_MISMATCH', `stub: step got ${inputs.length} inputs for a batch of ${c.batchSize}`);
    }
    const positions = inputs.map((input, r) => {
      const position = (this.prompts[r] as Int32Array).length + this.steps;
      if (input.kind === 'embedding') {
        if (input.vector.length !== this.hiddenSize) {
          throw new LvrError('SHAPE_MISMATCH', `stub: row ${r} embedding has ${input.vector.length} values, expected ${this.hiddenSize}`);
        }
      } else if (!Number.isInteger(input.id) || input.id < 0 || input.id >= this.vocabSize) {
        throw new LvrError('INVALID_ARGUMENT', `stub: row ${r} token id ${input.id} is outside the vocabulary`);
      }
      const copy: StepInput = input.kind === 'embedding' ? { kind: 'embedding', vector: input.vector.slice() } : { kind: 'token', id: input.id };
      (this.received[r] as StubInputRecord[]).push({ position, input: copy });
      return position;
    });
    this.steps++;
    c.length++;
    return this.outputs(positions);
  }

  release(cache: CacheHandle): void {
    const c = cache as StubCache;
    if (!this.released.includes(c.id)) this.released.push(c.id);
  }

  /** Outputs for each row at the given absolute positions. */
  private outputs(positions: readonly number[]): StepOutput {
    const B = positions.length;
    const V = this.vocabSize;
    const D = this.hiddenSize;
    const logits = new Float32Array(B * V); // (B × V)
    const hidden = new Float32Array(B * D); // (B × D)
    const latent = new Float32Array(B * D); // (B × D)
    positions.forEach((position, r) => {
      const prompt = this.prompts[r] as Int32Array;
      const ctx: StubRowContext = { row: r, prompt, position, received: this.received[r] as StubInputRecord[] };
      const script = this.scriptsOfBatch[r] as readonly number[];
      const wanted = script[position + 1 - prompt.length] ?? this.options.afterScript ?? this.tokens.eosId;
      let row: Float32Array = new Float32Array(V);
      row[wanted] = this.options.margin ?? 10;
      if (this.options.logits) row = this.options.logits(ctx, row);
      const h = this.options.hidden ? this.options.hidden(ctx) : stubHidden(position, D);
      const l = this.options.latent ? this.options.latent(h, ctx) : h;
      if (row.length !== V || h.length !== D || l.length !== D) {
        throw new LvrError('SHAPE_MISMATCH', `stub: a hook returned logits/hidden/latent of ${row.length}/${h.length}/${l.length} values, expected ${V}/${D}/${D}`);
      }
      logits.set(row, r * V);
      hidden.set(h, r * D);
      latent.set(l, r * D);
    });
    return { logits, hidden, latent };
  }
}

/**
 * The stub's default hidden state at absolute position q: `[q, cos(q), cos(2q), …]` (D values), so `hidden[0]`
 * identifies the position a fed vector came from.
 */
export function stubHidden(position: number, D = 4): Float32Array {
  const h = new Float32Array(D);
  h[0] = position;
  for (let d = 1; d < D; d++) h[d] = Math.cos(d * position);
  return h;
}
