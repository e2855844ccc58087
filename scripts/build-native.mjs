#!/usr/bin/env node
// Install step for the optional OpenBLAS back-end (native/): builds the Node-API addon with
// node-gyp when Debian's libopenblas-dev (header cblas.h + libopenblas.so) is present, and
// otherwise says so and succeeds. It never fails the install: the WASM and TypeScript back-ends
// need nothing native. STAGECREDIT_SKIP_NATIVE=1 skips it.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const native = fileURLToPath(new URL('../native', import.meta.url));
const say = (m) => console.error(`stagecredit: ${m}`);

function openblasDev() {
  const triplets = ['x86_64-linux-gnu', 'aarch64-linux-gnu', ''];
  const has = (f) => triplets.some((t) => existsSync(`/usr/lib/${t ? `${t}/` : ''}${f}`) || existsSync(`/usr/lib64/${f}`));
  const header = triplets.some((t) => existsSync(`/usr/include/${t ? `${t}/` : ''}cblas.h`));
  return header && has('libopenblas.so');
}

function nodeGyp() {
  // npm exposes its bundled node-gyp to install scripts; outside npm, try one on PATH.
  const bundled = process.env.npm_config_node_gyp;
  if (bundled && existsSync(bundled)) return [process.execPath, bundled];
  const onPath = spawnSync('node-gyp', ['--version'], { stdio: 'ignore' });
  if (onPath.status === 0) return ['node-gyp'];
  // npm's own copy, next to the npm that is on PATH.
  const npm = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  const inNpm = npm.status === 0 ? join(npm.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : '';
  return inNpm && existsSync(inNpm) ? [process.execPath, inNpm] : null;
}

function main() {
  if (process.env.STAGECREDIT_SKIP_NATIVE === '1') return say('native OpenBLAS back-end skipped (STAGECREDIT_SKIP_NATIVE=1)');
  if (!openblasDev()) return say('libopenblas-dev not found: the optional OpenBLAS back-end is not built (WASM is the default; `apt-get install libopenblas-dev` then `npm rebuild stagecredit` or `node scripts/build-native.mjs` to add it)');
  const gyp = nodeGyp();
  if (!gyp) return say('node-gyp not found: the optional OpenBLAS back-end is not built');
  // Node's own headers: npm's nodedir (Debian: /usr, holding include/node) avoids any download.
  const nodedir = process.env.npm_config_nodedir || (existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
  const args = [...gyp.slice(1), 'rebuild', `--directory=${native}`, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const r = spawnSync(gyp[0], args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    say(`building the optional OpenBLAS back-end failed; continuing without it:\n${(r.stderr ?? '').split('\n').slice(-15).join('\n')}`);
    return;
  }
  say('built the optional OpenBLAS back-end (STAGECREDIT_BACKEND=openblas)');
}

main();
