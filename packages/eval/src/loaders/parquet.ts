import { readFile } from 'node:fs/promises';
import { LvrError } from '@lvr/core';
import { parquetMetadata, parquetReadObjects, type AsyncBuffer, type Compressors, type FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
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
 * decompressor) is `DATASET_FORMAT`, both naming the file. A damaged file never escapes as an unhandled
 * rejection, a hang or an abort: page headers are checked before decoding and no read outlives a failure.
 *
 * @example
 * const rows = await readParquetRows('BLINK/Counting/val-00000-of-00001.parquet');
 * rows[0].value.idx; // 'val_Counting_1'
 */
export async function readParquetRows(file: string, opts: ParquetRowsOptions = {}): Promise<RawRow[]> {
  let bytes: ArrayBuffer;
  try {
    const data = await readFile(file);
    bytes = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new LvrError('IO_ERROR', `${file}: parquet file ${code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(cause)})`}`, {
      cause,
      details: { file },
    });
  }
  let objects: Record<string, unknown>[];
  const gate = gatedBuffer(bytes);
  try {
    checkPageHeaders(bytes, parquetMetadata(bytes));
    objects = await parquetReadObjects({ file: gate.file, utf8: false, ...(opts.compressors ? { compressors: opts.compressors } : {}) });
  } catch (cause) {
    gate.close();
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = /compression|codec/i.test(reason) ? ' (for ZSTD/GZIP/BROTLI files pass compressors from hyparquet-compressors)' : '';
    throw new LvrError('DATASET_FORMAT', `${file}: not a readable parquet file: ${reason}${hint}`, { cause, details: { file } });
  }
  return objects.map((value, row) => ({ loc: { file, row }, value }));
}

/** The most values one column chunk may hold: a JS array past ~1.7e8 elements aborts V8 itself. */
const MAX_CHUNK_VALUES = 1 << 26;

/**
 * Checks every page header against its column chunk before hyparquet decodes anything: a damaged header
 * (a negative level length, a value count past the chunk's) sends hyparquet into a loop that never ends or
 * an array that grows until V8 aborts, which no `catch` can stop. Throws a plain `Error` naming the column.
 */
function checkPageHeaders(bytes: ArrayBuffer, metadata: FileMetaData): void {
  const view = new DataView(bytes);
  const isCount = (n: unknown, max: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    for (const column of group.columns) {
      const meta = column.meta_data;
      if (!meta) continue;
      const name = meta.path_in_schema.join('.');
      const chunkValues = Number(meta.num_values);
      if (!isCount(chunkValues, MAX_CHUNK_VALUES) || !isCount(groupRows, chunkValues)) {
        throw new Error(`column ${name}: ${chunkValues} values for ${groupRows} rows`);
      }
      let offset = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const end = offset + Number(meta.total_compressed_size);
      if (!isCount(offset, bytes.byteLength) || !isCount(end, bytes.byteLength)) throw new Error(`column ${name}: chunk outside the file`);
      let seen = 0;
      while (offset < end) {
        const reader = { view, offset };
        const header = parquetHeader(reader);
        const pageEnd = reader.offset + header.compressed_page_size;
        const page = header.data_page_header_v2 ?? header.data_page_header ?? header.dictionary_page_header;
        const v2 = header.data_page_header_v2;
        const bad =
          header.type === undefined ||
          !isCount(header.compressed_page_size, end - reader.offset) ||
          !isCount(header.uncompressed_page_size, 0x7fffffff) ||
          (page !== undefined && !isCount(page.num_values, MAX_CHUNK_VALUES)) ||
          (v2 !== undefined &&
            (!isCount(v2.num_rows, groupRows) ||
              !isCount(v2.num_nulls, v2.num_values) ||
              !isCount(v2.definition_levels_byte_length, header.compressed_page_size) ||
              !isCount(v2.repetition_levels_byte_length ?? 0, header.compressed_page_size - v2.definition_levels_byte_length)));
        if (bad) throw new Error(`column ${name}: damaged page header at byte ${offset}`);
        if (header.type !== 'DICTIONARY_PAGE' && page) {
          seen += page.num_values;
          if (seen > chunkValues) throw new Error(`column ${name}: pages hold more than the chunk's ${chunkValues} values`);
        }
        offset = pageEnd;
      }
    }
  }
}

/**
 * Wraps a file so that every read resolves one macrotask late, and never once `close` was called.
 *
 * hyparquet starts the reads of all column chunks, then validates the schema synchronously; when a damaged
 * file fails that validation, the chunk promises already started have no handler and a decoding error in
 * them (snappy, page headers) would be an unhandled rejection that kills the process. Deferring the reads
 * past the microtasks that deliver the first error to our `catch` lets `close` hold them back for good:
 * a promise that never settles cannot reject.
 */
function gatedBuffer(bytes: ArrayBuffer): { file: AsyncBuffer; close: () => void } {
  let closed = false;
  return {
    file: {
      byteLength: bytes.byteLength,
      slice: (start, end) => {
        const read = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
          closed ? new Promise<ArrayBuffer>(() => undefined) : bytes.slice(start, end),
        );
        // hyparquet prefetches ranges it may never read; a range nobody asked for cannot fail anyone
        read.catch(() => undefined);
        return read;
      },
    },
    close: () => {
      closed = true;
    },
  };
}
