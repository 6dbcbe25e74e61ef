import { parentPort, workerData } from 'node:worker_threads';
import type { StepOutput } from '@lvr/decoding';
import { OrtEngine } from './ort-engine.js';
import { toWire, type OrtWorkerData, type OrtWorkerMessage, type OrtWorkerRequest } from './ort-worker-protocol.js';

/**
 * Worker-thread entry of the ORT backend (`OrtStepModel.create(dir, { worker: true })`): owns an `OrtEngine`
 * (sessions + KV caches) and answers the client's requests in order. Outputs are transferred, not copied.
 */
const port = parentPort;
if (!port) throw new Error('ort-worker must run in a worker thread');
const data = workerData as OrtWorkerData;

const buffersOf = (o: StepOutput): ArrayBuffer[] => [o.logits.buffer, o.hidden.buffer, o.latent.buffer] as ArrayBuffer[];

try {
  const engine = await OrtEngine.open(data.dir, data.options);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: OrtWorkerRequest) => {
    queue = queue.then(async () => {
      try {
        if (req.method === 'release') { engine.release(req.cacheId); return; }
        if (req.method === 'close') {
          await engine.close();
          port.postMessage({ type: 'reply', id: req.id, ok: true, result: null } satisfies OrtWorkerMessage);
          port.close();
          return;
        }
        if (req.method === 'encodeImages') {
          const feats = await engine.encodeImages(req.images);
          port.postMessage({ type: 'reply', id: req.id, ok: true, result: feats } satisfies OrtWorkerMessage, [feats.buffer as ArrayBuffer]);
        } else if (req.method === 'prefill') {
          const r = await engine.prefill(req.rows);
          port.postMessage({ type: 'reply', id: req.id, ok: true, result: r } satisfies OrtWorkerMessage, buffersOf(r.out));
        } else {
          const out = await engine.step(req.cacheId, req.inputs);
          port.postMessage({ type: 'reply', id: req.id, ok: true, result: out } satisfies OrtWorkerMessage, buffersOf(out));
        }
      } catch (e) {
        port.postMessage({ type: 'reply', id: req.id, ok: false, error: toWire(e) } satisfies OrtWorkerMessage);
      }
    });
  });
  port.postMessage({ type: 'ready' } satisfies OrtWorkerMessage);
} catch (e) {
  port.postMessage({ type: 'open-failed', error: toWire(e) } satisfies OrtWorkerMessage);
}
