/**
 * The closed world of the synthetic perception suite: shapes, colours, sizes, number words and grid-cell
 * words. Every question, answer and caption the suite produces is built from these words only, so a
 * word-level tokenizer built from {@link suiteWords} never meets an unknown word.
 */

/** The four shapes (kept deliberately hard to tell apart when small, like V*'s tiny targets). */
export const SHAPES = ['circle', 'square', 'triangle', 'cross'] as const;
/** One of {@link SHAPES}. */
export type Shape = (typeof SHAPES)[number];

/** Plural of each shape, used by the counting questions ("how many crosses are there ?"). */
export const SHAPE_PLURALS: Readonly<Record<Shape, string>> = Object.freeze({
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  cross: 'crosses',
});

/**
 * The eight colour names and their RGB values, chosen to stay distinguishable on a dark background even
 * when a small object is anti-aliased.
 */
export const COLOURS = Object.freeze({
  red: [225, 45, 45],
  green: [50, 185, 70],
  blue: [45, 100, 240],
  yellow: [240, 225, 40],
  purple: [155, 70, 215],
  orange: [250, 135, 40],
  cyan: [60, 215, 230],
  white: [238, 238, 238],
} as const satisfies Record<string, readonly [number, number, number]>);
/** One of the keys of {@link COLOURS}. */
export type ColourName = keyof typeof COLOURS;
/** The colour names in a fixed order (the order of {@link COLOURS}). */
export const COLOUR_NAMES: readonly ColourName[] = Object.freeze(Object.keys(COLOURS) as ColourName[]);

/** Size classes of an object. */
export const SIZE_CLASSES = ['small', 'large'] as const;
/** One of {@link SIZE_CLASSES}. */
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** Number words for counts 0..10 (`NUMBER_WORDS[k]` is the word for k). */
export const NUMBER_WORDS = Object.freeze([
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
] as const);

/** Answer words of the relative-position questions, per axis, in the order the question names them. */
export const POSITION_WORDS = Object.freeze({
  horizontal: ['left', 'right'],
  vertical: ['above', 'below'],
} as const);
/** Axis of a relative-position question. */
export type PositionAxis = keyof typeof POSITION_WORDS;

/** The separator between objects in a stage-0 caption. */
export const CAPTION_SEPARATOR = ';';

/** Grid-cell words of a caption: `x0..x{n-1}` for columns and `y0..y{n-1}` for rows. */
export function cellWords(gridCells: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < gridCells; i++) words.push(`x${i}`);
  for (let i = 0; i < gridCells; i++) words.push(`y${i}`);
  return words;
}

/** The fixed words of the question templates (see the task families). */
export const TEMPLATE_WORDS = Object.freeze([
  'what', 'colour', 'is', 'the', 'left', 'or', 'right', 'of', 'above', 'below', 'how', 'many', 'are',
  'there', 'objects', '?',
] as const);

/**
 * The word a caption puts after the shape of a *marked* object (drawn with a light frame, see `render.ts`):
 * the start marker of the chase task, also seen in pre-training so the base learns to see it.
 */
export const MARKED_WORD = 'marked';

/** The four arrow directions of the chase task, in a fixed order (index = direction id). */
export const DIRECTIONS = ['up', 'down', 'left', 'right'] as const;
/** One of {@link DIRECTIONS}. */
export type Direction = (typeof DIRECTIONS)[number];

/**
 * The fixed words of the reasoning tasks' templates:
 * chase — `"from the marked object follow three arrows . what shape ?"` (`"follow one arrow"` for k = 1), with an
 * optional legend prefix `"legend : red up , green down , blue left , yellow right . "`;
 * majority — `"which colour is most common ?"`.
 */
export const REASONING_WORDS = Object.freeze([
  MARKED_WORD, 'from', 'object', 'follow', 'arrow', 'arrows', 'shape', 'legend', ':', ',', ...DIRECTIONS, 'which', 'most', 'common',
] as const);

/** The user prompt of stage-0 caption pre-training. */
export const CAPTION_PROMPT = 'describe the image .';

/** Prompt fragments other tools build around suite questions (options lists in evaluation prompts). */
export const PROMPT_SENTENCES = Object.freeze([CAPTION_PROMPT, 'options : a b c d e , and']);

/**
 * Splits a sentence into the words a word-level tokenizer sees: whitespace-separated, with `.`, `,`, `?`,
 * `:`, `;`, `!`, `(` and `)` split off as their own words.
 *
 * @example
 * sentenceWords('You are a helpful assistant.'); // ['You', 'are', 'a', 'helpful', 'assistant', '.']
 */
export function sentenceWords(text: string): string[] {
  return text
    .replace(/([.,?:;!()])/g, ' $1 ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/**
 * Every word the suite can emit (questions, answers, captions with a `gridCells`-cell grid) plus the
 * words of `extraSentences` (e.g. the chat system prompt), deduplicated and sorted.
 *
 * @example
 * suiteWords(4, ['You are a helpful assistant.']).includes('crosses'); // true
 */
export function suiteWords(gridCells: number, extraSentences: readonly string[] = []): string[] {
  const words = new Set<string>([
    ...SHAPES,
    ...Object.values(SHAPE_PLURALS),
    ...COLOUR_NAMES,
    ...SIZE_CLASSES,
    ...NUMBER_WORDS,
    ...POSITION_WORDS.horizontal,
    ...POSITION_WORDS.vertical,
    ...TEMPLATE_WORDS,
    ...REASONING_WORDS,
    CAPTION_SEPARATOR,
    ...cellWords(gridCells),
  ]);
  for (const s of [...PROMPT_SENTENCES, ...extraSentences]) for (const w of sentenceWords(s)) words.add(w);
  return [...words].sort();
}
