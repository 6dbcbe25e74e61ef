import { LvrError } from '@lvr/core';
import { LVR_TOKENS, livrLatentTokens } from './special-tokens.js';

/** One entry of a `tokenizer.json` `added_tokens` list. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/**
 * Returns a copy of a Hugging Face `tokenizer.json` object with `tokens` appended to `added_tokens` as
 * special tokens (`special: true, normalized: false`, no strip), with consecutive ids after the current
 * maximum id (over `model.vocab` and `added_tokens`). This is what `tokenizer.add_tokens(tokens,
 * special_tokens=True)` does in Python for a tokenizer with dense ids.
 *
 * Idempotent: a token already in `added_tokens` keeps its entry and id; a token that is an ordinary
 * vocabulary entry is registered as an added token with its vocabulary id (so it is matched verbatim).
 * The input object is not modified.
 *
 * @example
 * const withLvr = addSpecialTokens(qwenTokenizerJson, ['<|lvr_start|>', '<|lvr|>']);
 * // stock Qwen2.5-VL (max id 151664): <|lvr_start|> → 151665, <|lvr|> → 151666
 */
export function addSpecialTokens(
  tokenizerJson: Readonly<Record<string, unknown>>,
  tokens: readonly string[],
): Record<string, unknown> {
  const added = readAddedTokens(tokenizerJson);
  const vocab = readModelVocab(tokenizerJson);
  const byContent = new Map(added.map((t) => [t.content, t]));
  let maxId = -1;
  for (const t of added) maxId = Math.max(maxId, t.id);
  for (const id of vocab.values()) maxId = Math.max(maxId, id);

  const next = [...added];
  for (const [i, token] of tokens.entries()) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new LvrError('INVALID_ARGUMENT', `tokens[${i}] must be a non-empty string`, { details: { index: i } });
    }
    if (byContent.has(token)) continue;
    const vocabId = vocab.get(token);
    const entry: AddedTokenJson = {
      id: vocabId ?? ++maxId,
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    };
    byContent.set(token, entry);
    next.push(entry);
  }
  return { ...tokenizerJson, added_tokens: next };
}

/**
 * Adds the four LVR tokens in the reference order (`<|lvr_start|>`, `<|lvr|>`, `<|lvr_latent_end|>`,
 * `<|lvr_end|>`). With the stock Qwen2.5-VL tokenizer (length 151665) they get ids 151665..151668.
 *
 * @example
 * const tok = LvrTokenizer.fromJson(addLvrTokens(json));
 * tok.requireLvr().lvr; // 151666 for the stock Qwen2.5-VL tokenizer
 */
export function addLvrTokens(tokenizerJson: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return addSpecialTokens(tokenizerJson, LVR_TOKENS);
}

/**
 * Adds the K LIVR latent tokens `<|latent_0|>` … `<|latent_{K-1}|>` (livr-and-peers.md §1.1: K distinct,
 * unshared tokens; default K = 16).
 *
 * @example
 * const tok = LvrTokenizer.fromJson(addLivrLatentTokens(json, 16));
 * tok.requireLivrLatents(16); // 16 consecutive ids
 */
export function addLivrLatentTokens(tokenizerJson: Readonly<Record<string, unknown>>, k: number): Record<string, unknown> {
  if (!Number.isInteger(k) || k < 1) {
    throw new LvrError('INVALID_ARGUMENT', `addLivrLatentTokens: k must be a positive integer, got ${String(k)}`, {
      details: { field: 'k', value: k },
    });
  }
  return addSpecialTokens(tokenizerJson, livrLatentTokens(k));
}

function readAddedTokens(json: Readonly<Record<string, unknown>>): AddedTokenJson[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new LvrError('TOKENIZER', 'tokenizer.json must be a JSON object');
  }
  const raw = json['added_tokens'] ?? [];
  if (!Array.isArray(raw)) throw new LvrError('TOKENIZER', 'tokenizer.json: "added_tokens" must be an array');
  return raw.map((t: unknown, i) => {
    const e = t as Partial<AddedTokenJson> | null;
    if (!e || typeof e.content !== 'string' || !Number.isInteger(e.id) || (e.id as number) < 0) {
      throw new LvrError('TOKENIZER', `tokenizer.json: added_tokens[${i}] needs a string "content" and an integer "id"`, {
        details: { field: 'added_tokens', index: i },
      });
    }
    return e as AddedTokenJson;
  });
}

/** Token → id map of `model.vocab` (object for BPE / WordPiece / WordLevel, `[piece, score][]` for Unigram). */
export function readModelVocab(json: Readonly<Record<string, unknown>>, source = 'tokenizer.json'): Map<string, number> {
  const model = json['model'] as { vocab?: unknown } | undefined;
  const vocab = model?.vocab;
  const out = new Map<string, number>();
  if (Array.isArray(vocab)) {
    vocab.forEach((entry: unknown, id) => {
      const piece = Array.isArray(entry) ? entry[0] : entry;
      if (typeof piece === 'string') out.set(piece, id);
    });
  } else if (vocab && typeof vocab === 'object') {
    for (const [token, id] of Object.entries(vocab as Record<string, unknown>)) {
      if (typeof id === 'number') out.set(token, id);
    }
  } else {
    throw new LvrError('TOKENIZER', `${source}: "model.vocab" is missing`, { details: { file: source } });
  }
  return out;
}
