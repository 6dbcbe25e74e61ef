import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLvrError } from '@lvr/core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blinkParquetSpec, type BlinkRow } from '../fixtures/benchmark-fixtures.js';
import { readParquetRows } from './parquet.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-parquet-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 40-row BLINK-shaped snappy parquet file. */
function intact(): Uint8Array {
  const rows: BlinkRow[] = Array.from({ length: 40 }, (_, i) => ({
    idx: `v${i}`,
    question: `${'q'.repeat(200)}${i}`,
    sub_task: 'Counting',
    images: [{ bytes: new Uint8Array(300).fill(i), path: 'x.png' }],
    choices: ['a', 'b'],
    answer: '(A)',
  }));
  return new Uint8Array(parquetWriteBuffer(blinkParquetSpec(rows) as Parameters<typeof parquetWriteBuffer>[0]));
}

/** `count` copies of `bytes`, each with 1-4 bytes overwritten at positions drawn from a fixed LCG. */
function damaged(bytes: Uint8Array, seed: number, count: number): Uint8Array[] {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return Array.from({ length: count }, () => {
    const copy = bytes.slice();
    const n = 1 + Math.floor(next() * 4);
    for (let k = 0; k < n; k++) copy[Math.floor(next() * (copy.length - 8)) + 4] = Math.floor(next() * 256);
    return copy;
  });
}

/** Reads every file; returns what each read gave and every unhandled rejection seen meanwhile. */
async function readAll(files: readonly Uint8Array[]): Promise<{ outcomes: string[]; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const outcomes: string[] = [];
  try {
    for (const [i, bytes] of files.entries()) {
      const file = join(dir, `f${i}.parquet`);
      await writeFile(file, bytes);
      outcomes.push(
        await readParquetRows(file).then(
          () => 'ok',
          (e: unknown) => (isLvrError(e) ? e.code : `not an LvrError: ${String(e)}`),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return { outcomes, unhandled };
}

describe('readParquetRows on damaged files', () => {
  it('throws DATASET_FORMAT and leaves no unhandled rejection behind (snappy, page headers, schema)', async () => {
    const { outcomes, unhandled } = await readAll(damaged(intact(), 1, 60));
    expect(unhandled.map(String)).toEqual([]);
    expect(outcomes.filter((o) => o !== 'ok' && o !== 'DATASET_FORMAT')).toEqual([]);
    expect(outcomes.filter((o) => o === 'DATASET_FORMAT').length).toBeGreaterThan(40);
  });

  it('rejects a page header with a negative level length or too many values before decoding it', async () => {
    // seed 3 #6: definition_levels_byte_length -1348 (hyparquet loops for ever); seed 9 #4: num_values 176208 of 80
    const files = [damaged(intact(), 3, 7)[6]!, damaged(intact(), 9, 5)[4]!];
    for (const [i, bytes] of files.entries()) {
      const file = join(dir, `h${i}.parquet`);
      await writeFile(file, bytes);
      await expect(readParquetRows(file)).rejects.toMatchObject({ code: 'DATASET_FORMAT', message: expect.stringMatching(/h\d\.parquet: not a readable parquet file: column \S+: (damaged page header|.*values)/) });
    }
  });

  it('still reads the intact file', async () => {
    const file = join(dir, 'ok.parquet');
    await writeFile(file, intact());
    const rows = await readParquetRows(file);
    expect(rows).toHaveLength(40);
    expect(rows[39]).toMatchObject({ loc: { file, row: 39 }, value: { idx: 'v39' } });
  });
});
