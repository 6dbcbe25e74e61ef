/**
 * The GPT-2 / Qwen byte-level alphabet: byte b → the printable character byte-level BPE vocabularies use
 * for it (printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100 onwards).
 *
 * @example
 * byteLevelAlphabet()[32]; // 'Ġ' (space)
 */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const chars = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return chars;
}

/** True if a `pre_tokenizer` config (possibly a `Sequence`) contains a `ByteLevel` step. */
export function usesByteLevel(preTokenizer: unknown): boolean {
  if (typeof preTokenizer !== 'object' || preTokenizer === null) return false;
  const p = preTokenizer as { type?: unknown; pretokenizers?: unknown };
  if (p.type === 'ByteLevel') return true;
  return Array.isArray(p.pretokenizers) && p.pretokenizers.some(usesByteLevel);
}
