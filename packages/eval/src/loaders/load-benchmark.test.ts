import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonl, put, tinyImage } from '../fixtures/benchmark-fixtures.js';
import { loadBenchmark } from './load-benchmark.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-loadb-'));
  const png = await tinyImage([5, 5, 5]);
  await put(join(dir, 'mmvp/Questions.csv'), 'Index,Question,Options,Correct Answer\n1,Open?,(a) Open (b) Closed,(b)\n');
  await put(join(dir, 'mmvp/MMVP Images/1.jpg'), png);
  await put(join(dir, 'vstar/test_questions.jsonl'), jsonl([{ image: 'a.png', text: 'Colour?\n(A) red\n(B) blue', question_id: 200, label: 'B' }]));
  await put(join(dir, 'vstar/a.png'), png);
  await put(join(dir, 'blink/x.jsonl'), jsonl([{ idx: 'val_Counting_9', question: 'How many?', sub_task: 'Counting', image_1: 'a.png', choices: ['1', '2'], answer: '(B)' }]));
  await put(join(dir, 'blink/a.png'), png);
  await put(join(dir, 'cv/test.jsonl'), jsonl([{ idx: 3, type: '3D', task: 'Distance', question: 'Which is closer?', choices: ['x', 'y'], answer: '(A)', filename: 'a.png', source: 'Omni3D' }]));
  await put(join(dir, 'cv/a.png'), png);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadBenchmark', () => {
  it('dispatches to each loader by name', async () => {
    expect((await loadBenchmark('mmvp', join(dir, 'mmvp')))[0]).toMatchObject({ id: 'mmvp-1', answer: 'B' });
    expect((await loadBenchmark('vstar', join(dir, 'vstar')))[0]).toMatchObject({ id: 'vstar-200', category: 'relative_position', answer: 'B' });
    expect((await loadBenchmark('blink', join(dir, 'blink')))[0]).toMatchObject({ id: 'val_Counting_9', answer: 'B' });
    expect((await loadBenchmark('cvbench', join(dir, 'cv')))[0]).toMatchObject({ id: 'cvbench-3d-3', groups: { source: 'Omni3D', type: '3D' } });
  });
});
