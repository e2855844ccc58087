import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFashionMnistDir } from '../src/data/fashionMnist.js';
import { PYTHON, torchAvailable } from './helpers/torchOracle.js';
import { runnableBlocks, type ReadmeBlock, type Requirement } from './readmeBlocks.js';

// Every README block fenced ```sh runnable / ```ts runnable runs as written, in README order, in
// one scratch copy of the repository (so later blocks see earlier blocks' outputs). The copy gets
// a fresh build of src/ in dist/, as `npm ci` would make, so `npx stagecredit` and
// `import ... from 'stagecredit'` are this working tree's code, never a stale build.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';

function missing(r: Requirement): string | null {
  switch (r) {
    case 'torch': {
      const t = torchAvailable();
      return t.ok ? null : `PyTorch: ${t.reason}`;
    }
    case 'chromium': return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;
    case 'fashion-mnist': return findFashionMnistDir() ? null : 'Fashion-MNIST is missing (apt-get install dataset-fashion-mnist)';
  }
}

/** The files a clone would have (tracked and new, not ignored), copied; node_modules linked. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stagecredit-readme-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(listed.status, 0, `git ls-files failed: ${listed.stderr}`);
  for (const f of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, f))) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(built.status, 0, `building the scratch copy failed:\n${built.stdout}${built.stderr}`);
  return dir;
}

function runBlock(b: ReadmeBlock, n: number, dir: string): { status: number | null; output: string } {
  const timeout = (b.timeoutSeconds ?? 120) * 1000;
  // As a user's shell would be, minus a pyenv's Python settings that would mislead Debian's python3.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  const script = (ext: string) => {
    writeFileSync(join(dir, `readme-block-${n}.${ext}`), b.code);
    return `readme-block-${n}.${ext}`;
  };
  const [cmd, args] = b.lang === 'ts' ? [process.execPath, ['--import', 'tsx', script('ts')]]
    : b.lang === 'python' || b.lang === 'py' ? [PYTHON, [script('py')]]
    : ['bash', ['-e', '-o', 'pipefail', '-c', b.code]];
  const r = spawnSync(cmd, args, { cwd: dir, env, timeout, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { status: r.status, output };
}

const blocks = runnableBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

test('the README marks runnable blocks', () => {
  assert.ok(blocks.some((b) => b.lang === 'sh'), 'no ```sh runnable block');
  assert.ok(blocks.some((b) => b.lang === 'ts'), 'no ```ts runnable block');
});

test('the README links only to files in the repository that the package ships', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const files = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;
  const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
  assert.ok(links.includes('docs/method.md'), 'the README links the method document');
  for (const l of links) {
    assert.ok(!l.startsWith('..'), `README links outside the repository: ${l}`);
    assert.ok(existsSync(join(ROOT, l)), `README links a missing file: ${l}`);
    assert.ok(files.some((f) => l === f || l.startsWith(`${f}/`)), `README links ${l}, which package.json "files" leaves out of the package`);
  }
  assert.ok(!readme.includes('shared/method.md'), 'the README still names ../shared/method.md');
});

test('every runnable README block runs as written', async (t) => {
  const dir = scratchCopy();
  try {
    for (const [n, b] of blocks.entries()) {
      const first = b.code.split('\n').find((l) => l.trim()) ?? '';
      const name = `README line ${b.line} (${b.lang}${b.file ? ` -> ${b.file}` : ''}): ${first.slice(0, 60)}`;
      const skip = b.requires.map(missing).find((m) => m !== null) ?? false;
      await t.test(name, { skip }, () => {
        if (b.file) {
          mkdirSync(dirname(join(dir, b.file)), { recursive: true });
          writeFileSync(join(dir, b.file), b.code + '\n');
          return;
        }
        const r = runBlock(b, n, dir);
        assert.equal(r.status, 0, `README block at line ${b.line} failed (exit ${r.status}):\n${b.code}\n--- output (last 3000 chars) ---\n${r.output.slice(-3000)}`);
      });
    }
  } finally {
    if (process.env.STAGECREDIT_KEEP_README_SCRATCH === '1') console.error(`scratch copy kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
});
