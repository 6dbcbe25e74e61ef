import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { LvrError } from '@lvr/core';
import { chatTemplateFromConfig } from '../sequences/chat-template.js';
import { readModelVocab } from './add-tokens.js';
import { byteLevelAlphabet, usesByteLevel } from './byte-level.js';
import {
  IMAGE_PAD_TOKEN,
  IM_END_TOKEN,
  IM_START_TOKEN,
  LVR_END_TOKEN,
  LVR_LATENT_END_TOKEN,
  LVR_START_TOKEN,
  LVR_TOKEN,
  PAD_TOKEN,
  QWEN_REQUIRED_TOKENS,
  VIDEO_PAD_TOKEN,
  VISION_END_TOKEN,
  VISION_START_TOKEN,
  livrLatentToken,
} from './special-tokens.js';

/** Ids of the four LVR tokens (see {@link LvrTokenizer.requireLvr}). */
export interface LvrTokenIds {
  lvrStart: number;
  lvr: number;
  lvrLatentEnd: number;
  lvrEnd: number;
}

/** Ids of every special token the pipeline uses; LVR ids are `undefined` until `addLvrTokens` was applied. */
export interface SpecialTokenIds {
  /** `<|endoftext|>` */
  pad: number;
  /** `<|im_start|>` */
  imStart: number;
  /** `<|im_end|>` (also `eos`) */
  imEnd: number;
  /** End-of-sequence id = `imEnd`. */
  eos: number;
  visionStart: number;
  visionEnd: number;
  imagePad: number;
  videoPad: number;
  lvrStart: number | undefined;
  lvr: number | undefined;
  lvrLatentEnd: number | undefined;
  lvrEnd: number | undefined;
  /** Ids of `<|latent_0|>`, `<|latent_1|>`, … present in the tokenizer (consecutive names from 0). */
  livrLatents: readonly number[];
}

/** Options of {@link LvrTokenizer.decode}. */
export interface DecodeOptions {
  /** Drop special tokens (default false, as the reference evaluation decodes). */
  skipSpecialTokens?: boolean;
}

/** Model types of `tokenizer.json` that `@huggingface/tokenizers` 0.2.0 implements. */
export const SUPPORTED_TOKENIZER_MODELS: readonly string[] = Object.freeze(['BPE', 'WordPiece', 'Unigram']);

/**
 * A Hugging Face tokenizer (`tokenizer.json`, run by `@huggingface/tokenizers`) plus the ids of the Qwen
 * chat / vision tokens and the LVR / LIVR tokens. Encoding never adds special tokens (the chat format is
 * built explicitly, like the reference's `add_special_tokens=False`).
 *
 * @example
 * const tok = LvrTokenizer.fromJson(addLvrTokens(createWordLevelTokenizerJson({ words: ['hello'] })));
 * tok.encode('hello<|lvr|>'); // [id of 'hello', tok.special.lvr]
 * tok.decode(tok.encode('hello')); // 'hello'
 */
export class LvrTokenizer {
  /** Ids of all special tokens the pipeline uses. */
  readonly special: Readonly<SpecialTokenIds>;
  /** Largest id + 1 (over the model vocabulary and the added tokens). */
  readonly vocabSize: number;
  readonly #tokenizer: Tokenizer;
  readonly #json: Readonly<Record<string, unknown>>;
  readonly #cleanUpSpaces: boolean;
  readonly #source: string;
  /** The folder's Jinja chat template (`tokenizer_config.json`'s `chat_template`); `undefined` = the default ChatML one. */
  readonly chatTemplate: string | undefined;

  private constructor(tokenizer: Tokenizer, json: Readonly<Record<string, unknown>>, cleanUpSpaces: boolean, source: string, chatTemplate?: string) {
    this.chatTemplate = chatTemplate;
    this.#tokenizer = tokenizer;
    this.#json = json;
    this.#cleanUpSpaces = cleanUpSpaces;
    this.#source = source;
    const vocab = tokenizer.get_vocab(true);
    let max = -1;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    this.special = Object.freeze(this.#resolveSpecial());
  }

  /**
   * Builds a tokenizer from a parsed `tokenizer.json` (and optionally `tokenizer_config.json`).
   * `clean_up_tokenization_spaces` defaults to false when the config does not set it (Qwen's value).
   * Throws `LvrError('TOKENIZER')` for a malformed json, an unsupported model type, missing Qwen
   * chat / vision tokens, or a token id outside [0, `maxVocabSize`) (default {@link MAX_VOCAB_SIZE}; pass
   * the model's `vocab_size`).
   */
  static fromJson(
    tokenizerJson: Readonly<Record<string, unknown>>,
    tokenizerConfig: Readonly<Record<string, unknown>> = {},
    source = 'tokenizer.json',
    maxVocabSize?: number,
  ): LvrTokenizer {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null || Array.isArray(tokenizerJson)) {
      throw new LvrError('TOKENIZER', `${source}: expected a JSON object`, { details: { file: source } });
    }
    const model = tokenizerJson['model'] as { type?: unknown } | undefined;
    const type = model?.type;
    if (typeof type !== 'string' || !SUPPORTED_TOKENIZER_MODELS.includes(type)) {
      throw new LvrError(
        'TOKENIZER',
        `${source}: unsupported tokenizer model type ${JSON.stringify(type)}; @huggingface/tokenizers supports ` +
          `${SUPPORTED_TOKENIZER_MODELS.join(', ')} (build word-level vocabularies with createWordLevelTokenizerJson)`,
        { details: { file: source, modelType: type } },
      );
    }
    const json = { ...tokenizerJson, added_tokens: tokenizerJson['added_tokens'] ?? [] };
    assertNoSilentDrops(json, source);
    assertIdsBounded(json, source, maxVocabSize ?? MAX_VOCAB_SIZE, maxVocabSize === undefined ? 'MAX_VOCAB_SIZE' : 'the model\'s vocab_size');
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, { ...tokenizerConfig });
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new LvrError('TOKENIZER', `${source}: cannot build the tokenizer: ${why}`, { cause, details: { file: source } });
    }
    const clean = tokenizerConfig['clean_up_tokenization_spaces'];
    const template = chatTemplateFromConfig(tokenizerConfig, source.replace(/tokenizer\.json$/, 'tokenizer_config.json'));
    return new LvrTokenizer(tokenizer, json, typeof clean === 'boolean' ? clean : false, source, template);
  }

  /**
   * Loads `tokenizer.json` from a file, or from a directory holding `tokenizer.json` and optionally
   * `tokenizer_config.json`. Throws `LvrError('IO_ERROR')` if the file cannot be read and
   * `LvrError('TOKENIZER')` naming the file for invalid JSON or an unsupported tokenizer.
   *
   * @example
   * const tok = await LvrTokenizer.fromFile('checkpoints/lvr-mini'); // reads tokenizer.json (+ config)
   */
  static async fromFile(path: string): Promise<LvrTokenizer> {
    let jsonPath = path;
    let configPath: string | undefined;
    try {
      if ((await stat(path)).isDirectory()) {
        jsonPath = join(path, 'tokenizer.json');
        configPath = join(path, 'tokenizer_config.json');
      }
    } catch (cause) {
      throw new LvrError('IO_ERROR', `cannot read tokenizer file ${path}`, { cause, details: { file: path } });
    }
    const json = await readJsonObject(jsonPath, true);
    const config = configPath === undefined ? undefined : await readJsonObject(configPath, false);
    return LvrTokenizer.fromJson(json as Record<string, unknown>, (config ?? {}) as Record<string, unknown>, jsonPath);
  }

  /** The `tokenizer.json` object this tokenizer was built from (e.g. to save it next to a checkpoint). */
  get json(): Readonly<Record<string, unknown>> {
    return this.#json;
  }

  /** Token ids of `text`, without any added special tokens (`add_special_tokens = false`). */
  encode(text: string): number[] {
    const ids = this.#tokenizer.encode(text, { add_special_tokens: false }).ids;
    for (const id of ids) {
      if (!Number.isInteger(id)) {
        throw new LvrError('TOKENIZER', `${this.#source}: a piece of ${JSON.stringify(text.slice(0, 80))} has no id ` +
          '(the tokenizer has no unknown token)', { details: { file: this.#source } });
      }
    }
    return ids;
  }

  /** Text of `ids`. Unknown ids throw `LvrError('TOKENIZER')`; an empty list decodes to `''`. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list = Array.from(ids);
    for (const id of list) {
      if (this.#tokenizer.id_to_token(id) === undefined) {
        throw new LvrError('TOKENIZER', `decode: id ${id} is not in the vocabulary of ${this.#source} (size ${this.vocabSize})`, {
          details: { id },
        });
      }
    }
    if (list.length === 0) return '';
    return this.#tokenizer.decode(list, {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: this.#cleanUpSpaces,
    });
  }

  /** Id of a token string; `undefined` if missing, or `LvrError('TOKENIZER')` with `{ required: true }`. */
  tokenToId(token: string, options: { required: true }): number;
  tokenToId(token: string, options?: { required?: boolean }): number | undefined;
  tokenToId(token: string, options: { required?: boolean } = {}): number | undefined {
    const id = this.#tokenizer.token_to_id(token);
    if (id === undefined && options.required) {
      throw new LvrError('TOKENIZER', `token ${JSON.stringify(token)} is not in the vocabulary of ${this.#source}`, {
        details: { token, file: this.#source },
      });
    }
    return id;
  }

  /** Token string of an id, or `undefined`. */
  idToToken(id: number): string | undefined {
    return this.#tokenizer.id_to_token(id);
  }

  /**
   * The LVR token ids, or `LvrError('TOKENIZER')` telling the caller to add them with `addLvrTokens`.
   */
  requireLvr(): LvrTokenIds {
    const { lvrStart, lvr, lvrLatentEnd, lvrEnd } = this.special;
    if (lvrStart === undefined || lvr === undefined || lvrLatentEnd === undefined || lvrEnd === undefined) {
      const missing = [LVR_START_TOKEN, LVR_TOKEN, LVR_LATENT_END_TOKEN, LVR_END_TOKEN].filter((t) => this.tokenToId(t) === undefined);
      throw new LvrError(
        'TOKENIZER',
        `${this.#source} has no LVR tokens (missing ${missing.join(', ')}); call addLvrTokens(tokenizerJson) ` +
          'before LvrTokenizer.fromJson',
        { details: { missing, file: this.#source } },
      );
    }
    return { lvrStart, lvr, lvrLatentEnd, lvrEnd };
  }

  /** Ids of `<|latent_0|>` … `<|latent_{k-1}|>`, or `LvrError('TOKENIZER')` telling to call `addLivrLatentTokens`. */
  requireLivrLatents(k: number): number[] {
    if (!Number.isInteger(k) || k < 0) {
      throw new LvrError('INVALID_ARGUMENT', `requireLivrLatents: k must be a non-negative integer, got ${String(k)}`);
    }
    if (this.special.livrLatents.length < k) {
      throw new LvrError(
        'TOKENIZER',
        `${this.#source} has ${this.special.livrLatents.length} LIVR latent tokens but ${k} are needed ` +
          `(missing ${livrLatentToken(this.special.livrLatents.length)}); call addLivrLatentTokens(tokenizerJson, ${k})`,
        { details: { have: this.special.livrLatents.length, need: k, file: this.#source } },
      );
    }
    return this.special.livrLatents.slice(0, k);
  }

  #resolveSpecial(): SpecialTokenIds {
    const missing = QWEN_REQUIRED_TOKENS.filter((t) => this.tokenToId(t) === undefined);
    if (missing.length > 0) {
      throw new LvrError(
        'TOKENIZER',
        `${this.#source} lacks the Qwen chat / vision tokens ${missing.join(', ')} that LVR sequences need`,
        { details: { missing, file: this.#source } },
      );
    }
    const req = (t: string): number => this.tokenToId(t, { required: true });
    const latents: number[] = [];
    for (let i = 0; ; i++) {
      const id = this.tokenToId(livrLatentToken(i));
      if (id === undefined) break;
      latents.push(id);
    }
    return {
      pad: req(PAD_TOKEN),
      imStart: req(IM_START_TOKEN),
      imEnd: req(IM_END_TOKEN),
      eos: req(IM_END_TOKEN),
      visionStart: req(VISION_START_TOKEN),
      visionEnd: req(VISION_END_TOKEN),
      imagePad: req(IMAGE_PAD_TOKEN),
      videoPad: req(VIDEO_PAD_TOKEN),
      lvrStart: this.tokenToId(LVR_START_TOKEN),
      lvr: this.tokenToId(LVR_TOKEN),
      lvrLatentEnd: this.tokenToId(LVR_LATENT_END_TOKEN),
      lvrEnd: this.tokenToId(LVR_END_TOKEN),
      livrLatents: Object.freeze(latents),
    };
  }
}

/**
 * `@huggingface/tokenizers` (like Rust) silently drops text a BPE model cannot encode when it has neither
 * an unknown token nor byte fallback. Accept such a BPE only if it is byte-level with all 256 byte symbols.
 */
function assertNoSilentDrops(json: Readonly<Record<string, unknown>>, source: string): void {
  const vocab = readModelVocab(json, source);
  const model = json['model'] as { type?: unknown; unk_token?: unknown; byte_fallback?: unknown };
  if (model.type !== 'BPE' || model.unk_token != null || model.byte_fallback === true) return;
  const missing = usesByteLevel(json['pre_tokenizer']) ? byteLevelAlphabet().filter((c) => !vocab.has(c)).length : -1;
  if (missing !== 0) {
    throw new LvrError('TOKENIZER', `${source}: this BPE model has no unk_token and no byte fallback and ` +
      (missing < 0 ? 'is not byte-level' : `lacks ${missing} of the 256 byte-level symbols`) +
      ', so it would silently drop characters it cannot encode', { details: { file: source } });
  }
}

/**
 * The largest vocabulary {@link LvrTokenizer.fromJson} accepts by default (2^24 ids; Qwen2.5-VL has
 * 151,665 tokens). The tokenizer library materialises every id up to the largest, so an id of 2^31 would
 * spin for minutes and exhaust memory; ids are checked against the bound before the library sees them.
 */
export const MAX_VOCAB_SIZE = 2 ** 24;

/** Every id of `model.vocab` and `added_tokens` is an integer in [0, `limit`). */
function assertIdsBounded(json: Readonly<Record<string, unknown>>, source: string, limit: number, limitName: string): void {
  const check = (id: unknown, what: string): void => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= limit) {
      throw new LvrError('TOKENIZER', `${source}: ${what} has id ${String(id)}; ids must be integers in [0, ${limit}) (${limitName})`, {
        details: { file: source },
      });
    }
  };
  for (const [token, id] of readModelVocab(json, source)) check(id, `model.vocab token ${JSON.stringify(token)}`);
  const added = json['added_tokens'];
  if (Array.isArray(added)) added.forEach((entry: unknown, i) => check((entry as { id?: unknown } | null)?.id, `added_tokens[${i}]`));
}

/**
 * A model folder's `tokenizer_config.json` (chat template, `clean_up_tokenization_spaces`), or `{}` when the folder
 * has none. `LvrError('TOKENIZER')` naming the file when it is not a JSON object.
 *
 * @example
 * const tok = LvrTokenizer.fromJson(tokenizerJson, await readTokenizerConfig('models/base'));
 */
export async function readTokenizerConfig(dir: string): Promise<Record<string, unknown>> {
  return ((await readJsonObject(join(dir, 'tokenizer_config.json'), false)) ?? {}) as Record<string, unknown>;
}

async function readJsonObject(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (!required && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LvrError('IO_ERROR', `cannot read ${file}`, { cause, details: { file } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new LvrError('TOKENIZER', `${file} is not valid JSON: ${(cause as Error).message}`, { cause, details: { file } });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LvrError('TOKENIZER', `${file} must contain a JSON object`, { details: { file } });
  }
  return value;
}
