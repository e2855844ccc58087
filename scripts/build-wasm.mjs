#!/usr/bin/env node
// Rebuilds wasm/gemm.wasm from wasm/gemm.wat with wabt's wat2wasm (a devDependency). The binary is
// committed, so installing or running stagecredit never needs this; test/tensor/wasmBuild.test.ts
// checks that the committed binary is what this script produces.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export async function buildGemmWasm() {
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const src = fileURLToPath(new URL('../wasm/gemm.wat', import.meta.url));
  const mod = wabt.parseWat('gemm.wat', readFileSync(src, 'utf8'), { simd: true });
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('../wasm/gemm.wasm', import.meta.url));
  const bin = await buildGemmWasm();
  writeFileSync(out, bin);
  console.log(`wrote ${out} (${bin.length} bytes)`);
}
