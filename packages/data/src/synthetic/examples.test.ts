import { describe, expect, it } from 'vitest';
import { questionOnlyBaseline } from './baseline.js';
import { allocateCounts, generateExamples } from './examples.js';
import { TASK_KINDS } from './tasks/task-family.js';
import { resolveTaskOptions } from './tasks/task-options.js';
import { getTaskFamily } from './tasks/registry.js';

const o = resolveTaskOptions();

describe('allocateCounts', () => {
  it('splits evenly and keeps pairs whole', () => {
    expect(allocateCounts(10, ['attribute', 'pair'])).toEqual({ attribute: 6, position: 0, count: 0, pair: 4 });
    expect(allocateCounts(7, TASK_KINDS)).toEqual({ attribute: 3, position: 2, count: 2, pair: 0 });
    expect(allocateCounts(3, ['pair'])).toEqual({ attribute: 0, position: 0, count: 0, pair: 4 });
    expect(() => allocateCounts(-1, ['count'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('generateExamples', () => {
  it('assigns unique ids, letters, words and adjacent pair ids', () => {
    const ex = generateExamples('test', allocateCounts(40, TASK_KINDS), 5, o);
    expect(ex).toHaveLength(40);
    expect(new Set(ex.map((e) => e.id)).size).toBe(40);
    for (const e of ex) {
      expect(e.image).toBe(`images/${e.id}.png`);
      expect(e.answerLetter).toBe('ABCDEFGH'[e.answerIndex]);
      expect(e.answerWord).toBe(e.options[e.answerIndex]);
    }
    const pairs = ex.filter((e) => e.task === 'pair');
    for (let i = 0; i < pairs.length; i += 2) {
      expect(pairs[i]!.pairId).toBe(pairs[i + 1]!.pairId);
      expect(pairs[i]!.id).toBe(`${pairs[i]!.pairId}-a`);
      expect(pairs[i + 1]!.id).toBe(`${pairs[i]!.pairId}-b`);
    }
    expect(ex.filter((e) => e.task !== 'pair').every((e) => e.pairId === undefined)).toBe(true);
  });

  it('is deterministic, independent per split, and changes with the seed', () => {
    const counts = allocateCounts(16, TASK_KINDS);
    const strip = (xs: ReturnType<typeof generateExamples>) => xs.map((e) => [e.id, e.question, e.answerWord, e.roi]);
    expect(strip(generateExamples('test', counts, 1, o))).toEqual(strip(generateExamples('test', counts, 1, o)));
    expect(strip(generateExamples('test', counts, 1, o))).not.toEqual(strip(generateExamples('test', counts, 2, o)));
    // Growing a task's count only appends: earlier items stay the same.
    const more = generateExamples('test', { ...counts, attribute: counts.attribute + 3 }, 1, o);
    const base = generateExamples('test', counts, 1, o);
    expect(strip(more.filter((e) => e.task === 'attribute').slice(0, counts.attribute))).toEqual(
      strip(base.filter((e) => e.task === 'attribute')),
    );
  });
});

describe('difficulty: the answer is not predictable from the prompt alone', () => {
  const train = generateExamples('train', allocateCounts(2400, TASK_KINDS), 21, o);
  const test = generateExamples('test', allocateCounts(2400, TASK_KINDS), 21, o);

  it('a question-only baseline fitted on train scores about chance on test, per task', () => {
    const res = questionOnlyBaseline(train, test);
    for (const kind of TASK_KINDS) {
      const chance = 1 / getTaskFamily(kind).optionCount(o);
      const { accuracy, n } = res.byTask[kind]!;
      const se = Math.sqrt((chance * (1 - chance)) / n);
      expect(accuracy, kind).toBeLessThan(chance + 3.5 * se);
    }
  });

  it('answer letters are balanced (no position bias in the options)', () => {
    for (const kind of TASK_KINDS) {
      const items = test.filter((e) => e.task === kind);
      const k = getTaskFamily(kind).optionCount(o);
      const hist = new Array<number>(k).fill(0);
      for (const e of items) hist[e.answerIndex]! += 1;
      for (const h of hist) expect(Math.abs(h / items.length - 1 / k), kind).toBeLessThan(0.07);
    }
  });

  it('the baseline exploits a leak when there is one (the check can fail)', () => {
    // Make every training answer the first option: a leaky generator the baseline must beat chance on.
    const leaky = test.map((e) => ({ ...e, answerWord: e.options[0]! }));
    const leakyTrain = train.map((e) => ({ ...e, question: 'same', answerWord: 'left' }));
    const res = questionOnlyBaseline(leakyTrain, leaky.map((e) => ({ ...e, question: 'same' })));
    expect(res.byTask.position!.accuracy).toBe(1);
  });
});

describe('difficulty knobs', () => {
  it('image size, distractor count and object sizes reach the scenes', () => {
    const k = resolveTaskOptions({ imageSize: 96, distractors: 10, smallRadius: [2, 2.5], largeRadius: [4, 4.5] });
    const ex = generateExamples('test', allocateCounts(8, ['attribute', 'count']), 1, k);
    for (const e of ex) {
      expect([e.scene.width, e.scene.height]).toEqual([96, 96]);
      for (const o of e.scene.objects) expect(o.radius).toBeLessThan(o.size === 'small' ? 2.5 : 4.5);
    }
    const attr = ex.filter((e) => e.task === 'attribute');
    expect(attr.every((e) => e.scene.objects.length === 12)).toBe(true);
    const counted = ex.filter((e) => e.task === 'count');
    expect(counted.every((e) => e.scene.objects.length === 10 + ['one', 'two', 'three', 'four', 'five'].indexOf(e.answerWord) + 1)).toBe(true);
  });

  it('an impossible crowd fails fast with CONFIG_INVALID', () => {
    const k = resolveTaskOptions({ imageSize: 32, distractors: 40, maxRestarts: 3 });
    expect(() => generateExamples('test', allocateCounts(1, ['attribute']), 1, k)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
