/** The fields a question-only baseline may look at (no image, no ROI). */
export interface BaselineItem {
  readonly task: string;
  readonly question: string;
  readonly options: readonly string[];
  readonly answerWord: string;
}

/** Accuracy of the question-only baseline, per task and overall. */
export interface BaselineResult {
  readonly overall: number;
  readonly byTask: Readonly<Record<string, { readonly accuracy: number; readonly n: number }>>;
}

/**
 * A "blind" baseline that never sees the image: for each test item it answers with the option that was
 * the most frequent answer to the same question text in `train` (ties: the most frequent answer overall,
 * then the first option). If it scores about chance, the answer is not predictable from the prompt alone.
 *
 * @example
 * questionOnlyBaseline(trainExamples, testExamples).byTask.attribute.accuracy; // ≈ 0.25
 */
export function questionOnlyBaseline(train: readonly BaselineItem[], test: readonly BaselineItem[]): BaselineResult {
  const byQuestion = new Map<string, Map<string, number>>();
  const global = new Map<string, number>();
  for (const it of train) {
    let m = byQuestion.get(it.question);
    if (m === undefined) byQuestion.set(it.question, (m = new Map()));
    m.set(it.answerWord, (m.get(it.answerWord) ?? 0) + 1);
    global.set(it.answerWord, (global.get(it.answerWord) ?? 0) + 1);
  }
  const tally = new Map<string, { correct: number; n: number }>();
  let correct = 0;
  for (const it of test) {
    const m = byQuestion.get(it.question);
    let best = it.options[0];
    let bestKey: [number, number] = [-1, -1];
    for (const opt of it.options) {
      const key: [number, number] = [m?.get(opt) ?? 0, global.get(opt) ?? 0];
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        best = opt;
        bestKey = key;
      }
    }
    const ok = best === it.answerWord ? 1 : 0;
    correct += ok;
    const t = tally.get(it.task) ?? { correct: 0, n: 0 };
    t.correct += ok;
    t.n += 1;
    tally.set(it.task, t);
  }
  const byTask: Record<string, { accuracy: number; n: number }> = {};
  for (const [task, t] of [...tally].sort((a, b) => (a[0] < b[0] ? -1 : 1))) byTask[task] = { accuracy: t.correct / t.n, n: t.n };
  return { overall: test.length === 0 ? 0 : correct / test.length, byTask };
}
