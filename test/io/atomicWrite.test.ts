import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriteError, writeFileAtomic, writeJsonAtomic } from '../../src/io/index.js';

const root = mkdtempSync(join(tmpdir(), 'stagecredit-atomic-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshDir(): string {
  const dir = join(root, `case${counter++}`);
  mkdirSync(dir);
  return dir;
}

test('writeFileAtomic writes a string as UTF-8', () => {
  const dir = freshDir();
  const path = join(dir, 'a.txt');
  writeFileAtomic(path, 'héllo\n');
  assert.deepEqual(readFileSync(path), Buffer.from('héllo\n', 'utf8'));
  assert.deepEqual(readdirSync(dir), ['a.txt'], 'no temp file left behind');
});

test('writeFileAtomic writes bytes exactly, including a subarray view and an empty array', () => {
  const dir = freshDir();
  const backing = new Uint8Array([9, 9, 0, 1, 2, 255, 9]);
  writeFileAtomic(join(dir, 'view.bin'), backing.subarray(2, 6));
  assert.deepEqual([...readFileSync(join(dir, 'view.bin'))], [0, 1, 2, 255]);
  writeFileAtomic(join(dir, 'empty.bin'), new Uint8Array(0));
  assert.equal(readFileSync(join(dir, 'empty.bin')).length, 0);
});

test('writeFileAtomic replaces an existing file and leaves no temp files', () => {
  const dir = freshDir();
  const path = join(dir, 'state.json');
  writeFileSync(path, 'old contents that are longer than the new ones');
  writeFileAtomic(path, 'new');
  assert.equal(readFileSync(path, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir), ['state.json']);
});

test('writeFileAtomic names the target path when the parent directory is missing', () => {
  const dir = freshDir();
  const path = join(dir, 'missing', 'x.bin');
  assert.throws(
    () => writeFileAtomic(path, 'x'),
    (err: unknown) => {
      assert.ok(err instanceof AtomicWriteError);
      assert.equal(err.path, path);
      assert.equal(err.code, 'ENOENT');
      assert.ok(err.message.startsWith(`cannot write ${path}: ENOENT`), err.message);
      return true;
    },
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('writeFileAtomic cleans up its temp file when the rename fails', () => {
  const dir = freshDir();
  const path = join(dir, 'target');
  mkdirSync(join(path, 'child'), { recursive: true }); // a non-empty directory cannot be renamed over
  assert.throws(() => writeFileAtomic(path, 'x'), (err: unknown) => {
    assert.ok(err instanceof AtomicWriteError);
    assert.ok(err.message.startsWith(`cannot write ${path}: `), err.message);
    return true;
  });
  assert.deepEqual(readdirSync(dir), ['target'], 'temp file removed');
});

test('writeJsonAtomic writes 2-space JSON with a trailing newline', () => {
  const dir = freshDir();
  const path = join(dir, 'v.json');
  writeJsonAtomic(path, { a: 1, b: [true, null], c: { d: 'e' } });
  assert.equal(readFileSync(path, 'utf8'), '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ],\n  "c": {\n    "d": "e"\n  }\n}\n');
});

test('writeJsonAtomic rejects values JSON cannot represent, naming the path', () => {
  const dir = freshDir();
  const path = join(dir, 'u.json');
  assert.throws(() => writeJsonAtomic(path, undefined), {
    name: 'AtomicWriteError',
    message: `cannot write ${path}: value of type undefined is not JSON-serialisable`,
  });
  assert.throws(() => writeJsonAtomic(path, { n: 1n }), (err: unknown) => {
    assert.ok(err instanceof AtomicWriteError);
    assert.ok(err.message.startsWith(`cannot write ${path}: `) && err.message.includes('BigInt'), err.message);
    return true;
  });
  assert.deepEqual(readdirSync(dir), []);
});
