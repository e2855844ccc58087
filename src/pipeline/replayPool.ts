import { Worker } from 'node:worker_threads';
import { openedDatasets, rememberedContentHashes } from '../data/index.js';
import { fromData, type Tensor } from '../tensor/index.js';
import type { ReplayReply, ReplayRequest, WorkerInit } from './replayWorker.js';

export interface ReplayManyOptions {
  /** Worker threads to start; default min(2, subsets.length). Each opens the run itself. */
  workers?: number;
  /** Passed to every replaySkipping call (a replay from an earlier boundary, for checks). */
  from?: number;
  /** Called as each subset's replay arrives (in completion order, not subset order). */
  onDone?: (index: number, params: Tensor[], done: number, total: number) => void;
  /** Stops the workers and rejects (e.g. when the caller's own share of the replays failed). */
  signal?: AbortSignal;
  /**
   * assign[i]: the worker (0..workers-1) that replays subsets[i]. Every request is then posted at
   * start, so the workers never wait for this thread to hand out the next one: use it when this
   * thread is busy with replays of its own. Without it, subsets go out one at a time as workers
   * free up.
   */
  assign?: number[];
}

// Compiled, the worker is the .js beside this file. Under tsx (tests, `node --import tsx`) it is
// a .ts file, and worker threads do not get the parent's loader hooks; on Node 20 an
// `execArgv: ['--import', 'tsx']` does not reach the worker's own entry module either (it fails
// with ERR_UNKNOWN_FILE_EXTENSION, nodejs/node#47747). So a two-line bootstrap registers tsx
// inside the worker and then imports the .ts worker.
const fromSource = import.meta.url.endsWith('.ts');

function startWorker(init: WorkerInit): Worker {
  if (!fromSource) return new Worker(new URL('./replayWorker.js', import.meta.url), { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./replayWorker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

/**
 * theta_T^(-S) for every S in `subsets`, each as replaySkipping(openRun(runDir), S) would give it
 * (bit for bit), computed on worker threads. Subsets are handed out one at a time as workers
 * free up, since replays that skip early stages cost more. The first error in any worker rejects
 * with that worker's message and stops the pool.
 */
export function replayMany(runDir: string, subsets: number[][], opts: ReplayManyOptions = {}): Promise<Tensor[][]> {
  const total = subsets.length;
  const count = opts.workers ?? Math.max(1, Math.min(2, total));
  if (!Number.isInteger(count) || count < 1) return Promise.reject(new Error(`replayMany: workers must be an integer >= 1 (got ${count})`));
  if (total === 0) return Promise.resolve([]);
  const assign = opts.assign;
  if (assign && (assign.length !== total || assign.some((a) => !Number.isInteger(a) || a < 0 || a >= count))) {
    return Promise.reject(new Error(`replayMany: assign must give each of the ${total} subsets a worker in 0..${count - 1}`));
  }
  const results: Tensor[][] = new Array(total);
  const pool: Worker[] = [];
  // Workers stopped because the queue ran dry; their exit is expected.
  const retired = new Set<Worker>();
  let next = 0;
  let done = 0;
  let settled = false;

  return new Promise<Tensor[][]>((resolve, reject) => {
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      // terminate() is async; nothing waits on it, so a failed pool never blocks the caller.
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolve(results);
    };
    const post = (w: Worker, index: number) => {
      const req: ReplayRequest = { index, skip: subsets[index], from: opts.from };
      try {
        w.postMessage(req);
      } catch (e) {
        finish(e instanceof Error ? e : new Error(String(e))); // e.g. a subset that cannot be cloned
      }
    };
    // Preassigned: how many replies each worker still owes; it is retired when that reaches 0.
    const owed = new Map<Worker, number>();
    const feed = (w: Worker) => {
      if (assign) {
        const left = owed.get(w)! - 1;
        owed.set(w, left);
        if (left > 0) return;
      } else if (next < total) {
        post(w, next++);
        return;
      }
      retired.add(w);
      void w.terminate();
    };
    const datasets = openedDatasets();
    const init: WorkerInit = { runDir, datasets, hashes: rememberedContentHashes(datasets) };
    const spawn = () => {
      const w = startWorker(init);
      pool.push(w);
      w.on('message', (msg: ReplayReply) => {
        if (settled) return;
        if (msg.kind === 'error') {
          finish(new Error(msg.message));
          return;
        }
        const params = msg.params.map((p) => fromData(p.data, p.shape));
        results[msg.index] = params;
        done++;
        try {
          opts.onDone?.(msg.index, params, done, total);
        } catch (e) {
          finish(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (done === total) finish();
        else feed(w);
      });
      w.on('error', (e) => finish(e instanceof Error ? e : new Error(String(e))));
      w.on('exit', (code) => {
        if (!settled && !retired.has(w)) finish(new Error(`replay worker exited (code ${code}) before finishing its replays`));
      });
      return w;
    };
    if (opts.signal?.aborted) return finish(new Error('replayMany: aborted'));
    opts.signal?.addEventListener('abort', () => finish(new Error('replayMany: aborted')), { once: true });
    if (!assign) {
      for (let i = 0; i < Math.min(count, total); i++) {
        const w = spawn();
        if (next < total) post(w, next++);
      }
      return;
    }
    for (let k = 0; k < count; k++) {
      const mine = assign.flatMap((a, i) => (a === k ? [i] : []));
      if (mine.length === 0) continue;
      const w = spawn();
      owed.set(w, mine.length);
      for (const i of mine) post(w, i);
    }
  });
}
