import { parentPort, workerData } from 'node:worker_threads';
import { adoptDatasets, type Dataset } from '../data/index.js';
import type { FloatArray } from '../tensor/index.js';
import { replaySkipping } from './replay.js';
import { openRun, type Run } from './run.js';

// A replayMany worker thread: opens the run once, then answers one request per subset.

export interface WorkerInit {
  runDir: string;
  /** Data sets the parent already opened (openedDatasets), shared rather than read again. */
  datasets?: Record<string, Dataset>;
  /** Their content hashes as verified by the parent, so the worker's openRun does not rehash them. */
  hashes?: Record<string, string>;
}

export interface ReplayRequest {
  index: number;
  skip: number[];
  from?: number;
}

export type ReplayReply =
  | { kind: 'done'; index: number; params: { data: FloatArray; shape: number[] }[] }
  | { kind: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('replayWorker.ts runs only as a worker thread (see replayMany)');

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The run, with its boundary checkpoints' buffers recorded: a replay that skips only trailing
 * stages returns those cached arrays themselves, and transferring one would detach it from the
 * cache that later replays read. Those are copied; freshly computed parameters are moved.
 */
function openTracked(dir: string, cached: Set<ArrayBufferLike>): Run {
  const run = openRun(dir);
  const boundary = run.boundary;
  return {
    ...run,
    boundary: (k) => {
      const ck = boundary(k);
      for (const p of ck.params) cached.add(p.data.buffer);
      return ck;
    },
  };
}

const cached = new Set<ArrayBufferLike>();
let run: Run | null = null;
try {
  adoptDatasets((workerData as WorkerInit).datasets, (workerData as WorkerInit).hashes);
  run = openTracked((workerData as WorkerInit).runDir, cached);
} catch (e) {
  port.postMessage({ kind: 'error', message: message(e) } satisfies ReplayReply);
}

port.on('message', (req: ReplayRequest) => {
  if (!run) return; // the open error has been reported; the pool is shutting down
  try {
    const params = replaySkipping(run, req.skip, { from: req.from }).map((p) => {
      // postMessage silently drops a message that transfers a detached buffer (the pool would
      // then wait forever), so a tensor whose array was detached is an error here, not a hang.
      if (p.shape.reduce((a, b) => a * b, 1) !== p.data.length) {
        throw new Error(`replay worker: a result tensor of shape [${p.shape}] has lost its data (detached buffer)`);
      }
      const whole = p.data.byteOffset === 0 && p.data.byteLength === p.data.buffer.byteLength;
      return { data: whole && !cached.has(p.data.buffer) ? p.data : p.data.slice(), shape: [...p.shape] };
    });
    const reply: ReplayReply = { kind: 'done', index: req.index, params };
    port.postMessage(reply, params.map((p) => p.data.buffer as ArrayBuffer));
  } catch (e) {
    port.postMessage({ kind: 'error', message: message(e) } satisfies ReplayReply);
  }
});
