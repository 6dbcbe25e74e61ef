import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LvrError } from '@lvr/core';
import type { PrefillRow, StepImage, StepInput, StepOutput } from '@lvr/decoding';
import type { EnginePrefillResult } from './ort-engine.js';
import type { ResolvedOrtOptions } from './ort-runtime.js';
import { fromWire, type OrtWorkerData, type OrtWorkerMessage, type OrtWorkerRequest } from './ort-worker-protocol.js';

/**
 * Worker code for running from TypeScript source (tests, `node --import tsx`): tsx does not register its loader
 * in worker threads on Node 20, so the worker registers it through `tsx/esm/api` before importing the .ts entry.
 */
function sourceBootstrap(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const api = pkg.exports['./esm/api']?.import?.default;
  if (!api) throw new LvrError('BACKEND_UNAVAILABLE', 'ORT worker from source: tsx/esm/api not found (install tsx or use the built package)');
  const apiUrl = new URL(api, pathToFileURL(pkgPath)).href;
  const entry = new URL('./ort-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(apiUrl)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

/** Distributive Omit over the request union (keeps each variant's own fields). */
type RequestBody = OrtWorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The client side of the ORT worker thread: the same prefill / step / release / close surface as `OrtEngine`,
 * forwarded as messages. Requests are answered in order; an exit of the worker rejects everything pending.
 */
export class OrtWorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: LvrError | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: OrtWorkerMessage) => {
      if (m.type !== 'reply') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result); else p.reject(fromWire(m.error));
    });
    const fail = (e: LvrError): void => {
      this.exited ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new LvrError('BACKEND_UNAVAILABLE', `ORT worker crashed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => fail(new LvrError('BACKEND_UNAVAILABLE', `ORT worker exited (code ${code})`)));
  }

  /**
   * Starts a worker that opens the model folder; resolves once its sessions are validated.
   *
   * @throws the worker's LvrError (e.g. `CHECKPOINT` for a contract violation) or `BACKEND_UNAVAILABLE`.
   */
  static async open(dir: string, options: ResolvedOrtOptions): Promise<OrtWorkerClient> {
    const workerData: OrtWorkerData = { dir, options };
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(sourceBootstrap(), { eval: true, workerData, execArgv: ['--conditions=@lvr/source'] })
      : new Worker(new URL('./ort-worker.js', import.meta.url), { workerData });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: OrtWorkerMessage): void => {
        if (m.type === 'ready') { cleanup(); resolve(); }
        if (m.type === 'open-failed') { cleanup(); void worker.terminate(); reject(fromWire(m.error)); }
      };
      const onError = (e: Error): void => { cleanup(); reject(new LvrError('BACKEND_UNAVAILABLE', `ORT worker failed to start: ${e.message}`, { cause: e })); };
      const onExit = (code: number): void => { cleanup(); reject(new LvrError('BACKEND_UNAVAILABLE', `ORT worker exited during start (code ${code})`)); };
      const cleanup = (): void => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return new OrtWorkerClient(worker);
  }

  prefill(rows: readonly PrefillRow[]): Promise<EnginePrefillResult> {
    return this.call({ method: 'prefill', rows }) as Promise<EnginePrefillResult>;
  }

  step(cacheId: number, inputs: readonly StepInput[]): Promise<StepOutput> {
    return this.call({ method: 'step', cacheId, inputs }) as Promise<StepOutput>;
  }

  encodeImages(images: readonly StepImage[]): Promise<Float32Array> {
    return this.call({ method: 'encodeImages', images }) as Promise<Float32Array>;
  }

  /** Fire-and-forget (the worker handles it in order with the other requests). */
  release(cacheId: number): void {
    if (this.exited) return;
    this.worker.postMessage({ id: this.nextId++, method: 'release', cacheId } satisfies OrtWorkerRequest);
  }

  /** Frees the sessions in the worker and stops it. */
  async close(): Promise<void> {
    if (!this.exited) {
      try {
        await this.call({ method: 'close' });
      } catch {
        // the worker is gone either way
      }
    }
    await this.worker.terminate();
  }

  private call(body: RequestBody): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as OrtWorkerRequest);
    });
  }
}
