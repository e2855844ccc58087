import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Chart.js's UMD build, read once from node_modules and inlined into every page so the report
// needs no network. The package exports only its ESM/CJS entries, so the UMD file is found next
// to the CJS one.

let cached: string | undefined;

export function chartJsSource(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    const path = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    // The source map is not shipped in the page; a dangling reference would only make devtools fetch.
    cached = readFileSync(path, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
  }
  return cached;
}
