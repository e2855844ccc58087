import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gemmWasmPath } from '../../src/tensor/kernels/gemmWasm.js';

// The committed wasm/gemm.wasm must be what its source builds to, so the binary never drifts from
// the reviewed .wat. Needs the devDependency wabt; skipped (with the reason) where it is absent.
function wabtMissing(): string | false {
  try {
    createRequire(import.meta.url).resolve('wabt');
    return false;
  } catch {
    return 'wabt (devDependency) is not installed';
  }
}

test('wasm/gemm.wasm is the build of wasm/gemm.wat', { skip: wabtMissing() }, async () => {
  // @ts-expect-error: a plain .mjs script without type declarations
  const { buildGemmWasm } = await import('../../scripts/build-wasm.mjs');
  const rebuilt: Buffer = await buildGemmWasm();
  assert.ok(rebuilt.equals(readFileSync(gemmWasmPath)), 'wasm/gemm.wasm is stale: run `npm run build:wasm` and commit it');
});
