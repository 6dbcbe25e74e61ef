/**
 * Removes what a decoded reply carries besides the answer text: whole latent spans
 * `<|lvr_start|> … <|lvr_end|>` (tokens sampled during latent steps stay in the output ids, so the span can
 * hold arbitrary text), then every other special token `<|…|>` (`<|im_end|>`, `<|endoftext|>`, …). An
 * unclosed latent span loses only its start marker.
 *
 * @example
 * stripSpecialTokens('<|lvr_start|>x B y<|lvr_end|>\n<answer> B </answer><|im_end|>'); // ' \n<answer> B </answer> '
 */
export function stripSpecialTokens(text: string): string {
  return text.replace(/<\|lvr_start\|>[\s\S]*?<\|lvr_end\|>/g, ' ').replace(/<\|[A-Za-z0-9_]+\|>/g, ' ');
}

/**
 * The text inside the LAST `<answer>` tag, up to the next `</answer>` (or the end when it is unclosed),
 * trimmed; `undefined` when the reply has no `<answer>` tag.
 *
 * @example
 * answerTagContent('think <answer> B </answer>'); // 'B'
 */
export function answerTagContent(text: string): string | undefined {
  const at = text.lastIndexOf('<answer>');
  if (at < 0) return undefined;
  const rest = text.slice(at + '<answer>'.length);
  const end = rest.indexOf('</answer>');
  return (end < 0 ? rest : rest.slice(0, end)).trim();
}
