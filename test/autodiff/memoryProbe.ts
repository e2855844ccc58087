// Child process for memory.test.ts: runs 10,000 gradient + Hessian-vector product calls on a
// small MLP and prints heap growth between call 1,000 and call 10,000 (after forced GC).
import * as T from '../../src/autodiff/index.js';
import { Rng, randn, Tensor } from '../../src/tensor/index.js';

const leak = process.argv[2] === 'leak';
const gc = (globalThis as { gc?: () => void }).gc!;
const rng = new Rng(1);
const x = randn([16, 8], rng);
const params = [randn([8, 16], rng, 0.3), randn([16], rng, 0.1), randn([16, 4], rng, 0.3)];
const v = params.map((p) => randn(p.shape, rng));
const loss = ([w1, b1, w2]: Tensor[]) => T.mean(T.logSumExp(T.matmul(T.tanh(T.add(T.matmul(x, w1), b1)), w2), -1));
const kept: unknown[] = [];
let before = 0;
// Tensor storage is ArrayBuffers, which live outside the JS heap: count both.
const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
// ArrayBuffer backing stores are released after the collection, on later turns of the event loop:
// collect and yield a few times before reading, or the reading depends on when they happened to go.
async function settle(): Promise<void> {
  for (let k = 0; k < 3; k++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}
for (let i = 1; i <= 10_000; i++) {
  const r = T.gradAndHvp(loss, params, v);
  if (leak) kept.push(r);
  if (i === 1000) {
    await settle();
    before = used();
  }
}
await settle();
const after = used();
console.log(JSON.stringify({ growthMb: (after - before) / 2 ** 20 }));
