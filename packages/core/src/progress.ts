/**
 * Long operations accept `onProgress?: (e: ProgressEvent) => void`. The event is a discriminated union on
 * `status` so a CLI can draw a bar and a test can count steps.
 */
export type ProgressEvent =
  | { status: 'start'; task: string; total?: number | undefined }
  | { status: 'progress'; task: string; done: number; total?: number | undefined; info?: Record<string, number | string> | undefined }
  | { status: 'done'; task: string; done: number; elapsedMs: number };

export type ProgressCallback = (event: ProgressEvent) => void;

/** Small helper that turns a counter into start / progress / done events. */
export class ProgressReporter {
  private done = 0;
  private readonly t0 = Date.now();

  constructor(
    private readonly task: string,
    private readonly total: number | undefined,
    private readonly cb: ProgressCallback | undefined,
  ) {
    cb?.({ status: 'start', task, total });
  }

  tick(n = 1, info?: Record<string, number | string>): void {
    this.done += n;
    this.cb?.({ status: 'progress', task: this.task, done: this.done, total: this.total, info });
  }

  finish(): void {
    this.cb?.({ status: 'done', task: this.task, done: this.done, elapsedMs: Date.now() - this.t0 });
  }
}
