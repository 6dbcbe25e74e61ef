import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A 40×30 solid-colour PNG: the demo needs image files to exist, not real benchmark pictures. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAK0lEQVRIx+3NMQ0AAAgDsOlEE8KQhQw4mvRvqudExGKxWCwWi8VisVj8N17HS+AKCbCZ9QAAAABJRU5ErkJggg==',
  'base64',
);

async function put(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

const jsonl = (rows: readonly unknown[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

/** Where {@link writeDemoData} put each dataset and the predictions. */
export interface DemoPaths {
  mmvp: string;
  vstar: string;
  blink: string;
  predictions: string;
}

/**
 * Writes tiny made-up data in the exact file layouts of MMVP (`Questions.csv` + `MMVP Images/`), V* Bench
 * (`test_questions.jsonl` + images + per-image annotation JSON) and BLINK (JSONL with image paths), plus a
 * predictions file: one `{"id", "prediction"}` line per item, the raw text a model answered.
 */
export async function writeDemoData(root: string): Promise<DemoPaths> {
  const mmvp = join(root, 'MMVP');
  await put(
    join(mmvp, 'Questions.csv'),
    'Index,Question,Options,Correct Answer\n' +
      "1,Are the butterfly's wings closer to being open or closed?,(a) Open (b) Closed,(a)\n" +
      "2,Are the butterfly's wings closer to being open or closed?,(a) Open (b) Closed,(b)\n" +
      '3,"Is the dog facing left, or right?",(a) Left (b) Right,(b)\n' +
      '4,"Is the dog facing left, or right?",(a) Left (b) Right,(a)\n',
  );
  for (const i of [1, 2, 3, 4]) await put(join(mmvp, 'MMVP Images', `${i}.jpg`), PNG);

  const vstar = join(root, 'vstar_bench');
  const instruction = "Answer with the option's letter from the given choices directly.";
  await put(
    join(vstar, 'test_questions.jsonl'),
    jsonl([
      { image: 'direct_attributes/sa_1.jpg', text: `What is the material of the glove?\n(A) rubber\n(B) cotton\n(C) leather\n(D) paper\n${instruction}`, category: 'direct_attributes', question_id: 0, label: 'C' },
      { image: 'direct_attributes/sa_2.jpg', text: `What is the material of the boot?\n(A) rubber\n(B) cotton\n(C) leather\n(D) paper\n${instruction}`, category: 'direct_attributes', question_id: 1, label: 'A' },
      { image: 'relative_position/sa_3.jpg', text: `Is the cup on the left or right side of the dog?\n(A) left\n(B) right\n${instruction}`, category: 'relative_position', question_id: 115, label: 'B' },
    ]),
  );
  for (const [f, bbox] of [['direct_attributes/sa_1', [[10, 6, 8, 9]]], ['direct_attributes/sa_2', [[0, 0, 20, 15]]], ['relative_position/sa_3', [[2, 3, 4, 5], [30, 20, 6, 6]]]] as const) {
    await put(join(vstar, `${f}.jpg`), PNG);
    await put(join(vstar, `${f}.json`), JSON.stringify({ target_object: ['thing'], bbox }));
  }

  const blink = join(root, 'BLINK');
  await put(
    join(blink, 'val.jsonl'),
    jsonl([
      { idx: 'val_Counting_1', question: 'How many blue floats are there?', sub_task: 'Counting', image_1: 'img/c1.png', image_2: null, choices: ['0', '3', '2', '1'], answer: '(D)' },
      { idx: 'val_Counting_2', question: 'How many boats are there?', sub_task: 'Counting', image_1: 'img/c2.png', image_2: null, choices: ['1', '2'], answer: '(A)' },
      { idx: 'val_Jigsaw_1', question: 'Which piece completes the image?', sub_task: 'Jigsaw', image_1: 'img/j1.png', image_2: 'img/j1a.png', image_3: 'img/j1b.png', choices: ['the first piece', 'the second piece'], answer: '(B)' },
      { idx: 'val_Jigsaw_2', question: 'Which piece completes the image?', sub_task: 'Jigsaw', image_1: 'img/j2.png', image_2: 'img/j2a.png', image_3: 'img/j2b.png', choices: ['the first piece', 'the second piece'], answer: '(A)' },
    ]),
  );
  for (const f of ['c1', 'c2', 'j1', 'j1a', 'j1b', 'j2', 'j2a', 'j2b']) await put(join(blink, 'img', `${f}.png`), PNG);

  const predictions = join(root, 'predictions.jsonl');
  await put(
    predictions,
    jsonl([
      { id: 'mmvp-1', prediction: '<|lvr_start|><|lvr|><|lvr_end|>\n<answer> A </answer><|im_end|>' },
      { id: 'mmvp-2', prediction: 'The answer is B' },
      { id: 'mmvp-3', prediction: '(B)' },
      { id: 'mmvp-4', prediction: 'Right' },
      { id: 'vstar-0', prediction: 'C. leather' },
      { id: 'vstar-1', prediction: 'It is made of rubber.' },
      { id: 'vstar-115', prediction: 'I cannot tell from this image.' },
      { id: 'val_Counting_1', prediction: '(D)' },
      { id: 'val_Counting_2', prediction: 'B' },
      { id: 'val_Jigsaw_1', prediction: 'The second piece, B.' },
      { id: 'val_Jigsaw_2', prediction: 'A' },
    ]),
  );
  return { mmvp, vstar, blink, predictions };
}
