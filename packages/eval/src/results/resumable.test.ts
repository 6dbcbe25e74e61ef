import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressEvent } from '@lvr/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { McqItem } from '../item.js';
import { scoreMmvp } from '../score/mmvp.js';
import { mergeResultFiles, mergeResults } from './merge.js';
import { makeResult, type ResultRecord } from './record.js';
import { readResults } from './results-file.js';
import { pendingItems, runResumable } from './resumable.js';

const ITEMS: McqItem[] = Array.from({ length: 10 }, (_, i) => ({
  id: `mmvp-${i + 1}`, benchmark: 'mmvp', images: [], question: `q${i >> 1}`, options: ['Open', 'Closed'],
  answer: i % 2 === 0 ? 'A' : 'B', category: 'mmvp', pairId: String(i >> 1),
}));
// A deterministic "model": right on most items, with a varied reply format.
const reply = (it: McqItem): string => (it.id.endsWith('3') ? 'A' : it.answer === 'A' ? '<answer> A </answer>' : 'The answer is B');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-resume-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function counted(failAfter = Infinity) {
  const calls: string[] = [];
  const fn = (it: McqItem): ResultRecord => {
    if (calls.length >= failAfter) throw new Error('killed');
    calls.push(it.id);
    return makeResult(it, reply(it), { extra: { elapsedMs: calls.length } });
  };
  return { calls, fn };
}

describe('runResumable', () => {
  it('a killed run resumes without recomputing finished items', async () => {
    const path = join(dir, 'mmvp.jsonl');
    const first = counted(4);
    await expect(runResumable(ITEMS, path, first.fn)).rejects.toThrow('killed');
    expect(first.calls).toHaveLength(4);
    expect(await readResults(path)).toHaveLength(4);

    const second = counted();
    const events: ProgressEvent[] = [];
    const run = await runResumable(ITEMS, path, second.fn, { onProgress: (e) => events.push(e) });
    expect(second.calls).toEqual(ITEMS.slice(4).map((i) => i.id));
    expect(run).toMatchObject({ computed: 6, skipped: 4 });
    expect(run.records.map((r) => r.id)).toEqual(ITEMS.map((i) => i.id));
    expect(events.filter((e) => e.status === 'progress')).toHaveLength(6);

    const third = counted();
    expect(await runResumable(ITEMS, path, third.fn)).toMatchObject({ computed: 0, skipped: 10 });
    expect(third.calls).toEqual([]);
    expect(pendingItems(ITEMS, await readResults(path))).toEqual([]);
  });

  it('an item whose line was torn by the kill is recomputed', async () => {
    const path = join(dir, 'mmvp.jsonl');
    await runResumable(ITEMS.slice(0, 3), path, counted().fn);
    await appendFile(path, JSON.stringify(makeResult(ITEMS[3]!, 'A')).slice(0, 40));
    const again = counted();
    await runResumable(ITEMS, path, again.fn);
    expect(again.calls).toEqual(ITEMS.slice(3).map((i) => i.id));
    expect((await readResults(path)).map((r) => r.id)).toEqual(ITEMS.map((i) => i.id));
  });

  it('shards merge to the unsharded result (records and scores)', async () => {
    const whole = join(dir, 'whole.jsonl');
    await runResumable(ITEMS, whole, counted().fn);
    const shards = [1, 2, 3].map((k) => join(dir, `shard-${k}.jsonl`));
    for (const [k, p] of shards.entries()) await runResumable(ITEMS, p, counted().fn, { shard: `${k + 1}/3` });
    const strip = (rs: readonly ResultRecord[]) => rs.map(({ elapsedMs: _e, ...r }) => r);
    const merged = await mergeResultFiles(shards, join(dir, 'merged.jsonl'));
    expect(strip(merged)).toEqual(strip(await readResults(whole)));
    expect(strip(await readResults(join(dir, 'merged.jsonl')))).toEqual(strip(merged));
    expect(scoreMmvp(merged)).toEqual(scoreMmvp(await readResults(whole)));
    // reversed file order + an explicit item order gives the same records
    expect(strip(await mergeResults([...shards].reverse(), { order: ITEMS }))).toEqual(strip(merged));
  });

  it('merge keeps identical duplicates once and rejects conflicting ones naming both files', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await runResumable(ITEMS.slice(0, 4), a, counted().fn);
    await runResumable(ITEMS.slice(2, 6), b, counted().fn);
    expect((await mergeResults([a, b])).map((r) => r.id)).toEqual(ITEMS.slice(0, 6).map((i) => i.id));
    const lines = (await readFile(b, 'utf8')).trim().split('\n');
    lines[0] = JSON.stringify({ ...JSON.parse(lines[0]!), letter: 'B', correct: false });
    await writeFile(b, `${lines.join('\n')}\n`);
    await expect(mergeResults([a, b])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/mmvp item mmvp-3 has different results in .*a\.jsonl and .*b\.jsonl \(letter "A" vs "B"\)/),
    });
  });

  it('rejects a record that belongs to another item', async () => {
    await expect(runResumable(ITEMS, join(dir, 'x.jsonl'), () => makeResult(ITEMS[0]!, 'A'), { shard: '2/2' })).rejects.toThrow(
      /returned the record of mmvp\/mmvp-1 for item mmvp\/mmvp-6/,
    );
  });
});
