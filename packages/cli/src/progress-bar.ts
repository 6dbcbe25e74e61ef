import type { ProgressEvent } from '@lvr/core';
import type { CliStream } from './io.js';

/** Knobs of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Bar width in characters. Default 24. */
  width?: number;
  /** Minimum milliseconds between redraws of a running task. Default 80. */
  minIntervalMs?: number;
  /** Clock (for tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * A one-line progress bar on a terminal stream that consumes `ProgressEvent`s from @lvr/core:
 * `start` draws an empty bar, `progress` redraws it (throttled), `done` replaces it with a summary line.
 * Log lines written through {@link ProgressBar.log} clear the bar first and redraw it afterwards.
 *
 * @example
 * const bar = new ProgressBar(process.stderr);
 * await generateSuite({ outDir, onProgress: bar.onProgress });
 */
export class ProgressBar {
  private readonly width: number;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private line = '';
  private lastDraw = 0;

  constructor(
    private readonly stream: CliStream,
    opts: ProgressBarOptions = {},
  ) {
    this.width = opts.width ?? 24;
    this.minIntervalMs = opts.minIntervalMs ?? 80;
    this.now = opts.now ?? Date.now;
  }

  /** The event consumer to pass as `onProgress` (bound; safe to hand around). */
  readonly onProgress = (e: ProgressEvent): void => {
    if (e.status === 'start') {
      this.draw(this.render(e.task, 0, e.total));
    } else if (e.status === 'progress') {
      const t = this.now();
      if (t - this.lastDraw < this.minIntervalMs && !(e.total !== undefined && e.done >= e.total)) return;
      this.draw(this.render(e.task, e.done, e.total));
    } else {
      this.clear();
      this.stream.write(`${e.task}: ${e.done} done in ${(e.elapsedMs / 1000).toFixed(1)} s\n`);
    }
  };

  /** Writes a full line (e.g. a log record) without garbling the bar. */
  log(text: string): void {
    const bar = this.line;
    this.clear();
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
    if (bar) this.draw(bar);
  }

  /** Erases the bar (if drawn). */
  clear(): void {
    if (!this.line) return;
    this.stream.write(`\r${' '.repeat(this.line.length)}\r`);
    this.line = '';
  }

  /** The text of one bar, e.g. `"synthetic [######------] 12/40 30%"`. */
  render(task: string, done: number, total: number | undefined): string {
    if (total === undefined || total <= 0) return `${task} ${done}`;
    const frac = Math.min(1, Math.max(0, done / total));
    const filled = Math.round(frac * this.width);
    return `${task} [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${done}/${total} ${Math.floor(frac * 100)}%`;
  }

  private draw(text: string): void {
    const max = (this.stream.columns ?? 80) - 1;
    const clipped = text.length > max ? text.slice(0, max) : text;
    const pad = this.line.length > clipped.length ? ' '.repeat(this.line.length - clipped.length) : '';
    this.stream.write(`\r${clipped}${pad}`);
    this.line = clipped;
    this.lastDraw = this.now();
  }
}
