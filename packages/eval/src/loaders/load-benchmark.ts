import type { BenchmarkName, McqItem } from '../item.js';
import { loadBlink, type BlinkLoadOptions } from './blink.js';
import { loadCvBench, type CvBenchLoadOptions } from './cvbench.js';
import { loadMmvp, type MmvpLoadOptions } from './mmvp.js';
import { loadSyntheticSuite, type SyntheticLoadOptions } from './synthetic.js';
import { loadVstar, type VstarLoadOptions } from './vstar.js';

/** The options of every loader, merged (each loader reads only its own). */
export type LoadBenchmarkOptions = MmvpLoadOptions & VstarLoadOptions & BlinkLoadOptions & CvBenchLoadOptions & SyntheticLoadOptions;

/**
 * Loads any benchmark by name from a local path (see each loader for the expected layout).
 *
 * @example
 * const items = await loadBenchmark('vstar', '/data/vstar_bench');
 */
export async function loadBenchmark(name: BenchmarkName, path: string, opts: LoadBenchmarkOptions = {}): Promise<McqItem[]> {
  switch (name) {
    case 'mmvp':
      return loadMmvp(path, opts);
    case 'vstar':
      return loadVstar(path, opts);
    case 'blink':
      return loadBlink(path, opts);
    case 'cvbench':
      return loadCvBench(path, opts);
    case 'synthetic':
      return loadSyntheticSuite(path, opts);
  }
}
