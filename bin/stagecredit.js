#!/usr/bin/env node
// The compiled CLI (built by `npm ci`/`npm run build` into dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('stagecredit: dist/ is missing; run `npm run build` (npm ci does it automatically).');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
