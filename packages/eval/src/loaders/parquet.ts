import { LvrError } from '@lvr/core';
import { asyncBufferFromFile, parquetReadObjects, type Compressors } from 'hyparquet';
import type { RawRow } from './location.js';

/** Options of {@link readParquetRows}. */
export interface ParquetRowsOptions {
  /**
   * Extra decompressors by codec name. Snappy (the Hugging Face default) is built in; pass
   * `hyparquet-compressors`' export for ZSTD, GZIP, BROTLI or LZ4 files.
   */
  compressors?: Compressors | undefined;
}

/**
 * Every row of a parquet file as a plain object, with its 0-based row index as location. Binary columns stay
 * `Uint8Array` (image bytes), string columns are decoded; nested structs and lists become objects and
 * arrays. A file that cannot be read is `IO_ERROR`; one that is not valid parquet (or uses a codec with no
 * decompressor) is `DATASET_FORMAT`, both naming the file.
 *
 * @example
 * const rows = await readParquetRows('BLINK/Counting/val-00000-of-00001.parquet');
 * rows[0].value.idx; // 'val_Counting_1'
 */
export async function readParquetRows(file: string, opts: ParquetRowsOptions = {}): Promise<RawRow[]> {
  let buffer;
  try {
    buffer = await asyncBufferFromFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new LvrError('IO_ERROR', `${file}: parquet file ${code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(cause)})`}`, {
      cause,
      details: { file },
    });
  }
  let objects: Record<string, unknown>[];
  try {
    objects = await parquetReadObjects({ file: buffer, utf8: false, ...(opts.compressors ? { compressors: opts.compressors } : {}) });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = /compression|codec/i.test(reason) ? ' (for ZSTD/GZIP/BROTLI files pass compressors from hyparquet-compressors)' : '';
    throw new LvrError('DATASET_FORMAT', `${file}: not a readable parquet file: ${reason}${hint}`, { cause, details: { file } });
  }
  return objects.map((value, row) => ({ loc: { file, row }, value }));
}
