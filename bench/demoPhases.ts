// One full demo run on the back-end named by STAGECREDIT_BACKEND, for bench/core.bench.ts: prints
// one JSON line with the demo's wall time per phase and the final parameters' digest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDemo } from '../src/cases/index.js';
import { getBackend } from '../src/tensor/index.js';

const out = process.argv[2];
const workers = Number(process.argv[3] ?? 1);
const s = await runDemo({ out, workers });
const final = readFileSync(join(s.runDir, 'final.safetensors'));
console.log(JSON.stringify({ backend: getBackend().name, seconds: s.seconds, finalSha256: createHash('sha256').update(final).digest('hex') }));
