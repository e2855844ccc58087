import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runnableBlocks } from './readmeBlocks.js';

// The README test's block finder: which fences run, with which requirements and settings.

test('runnable blocks: only fences marked runnable, in order, with requirements and settings', () => {
  const md = [
    '```sh', 'npm ci', '```',
    '```sh runnable', 'npx stagecredit demo --list', '```',
    '```json runnable file=p.json', '{}', '```',
    '```sh runnable torch timeout=30', 'python3 x.py', '```',
    '````ts runnable', '```not a fence end', 'console.log(1)', '````',
    '- a list item:', '', '  ```ts runnable', '  const a = 1;', '    console.log(a);', '  ```',
  ].join('\n');
  const blocks = runnableBlocks(md);
  assert.deepEqual(blocks.map((b) => [b.line, b.lang, b.file, b.requires, b.timeoutSeconds]), [
    [4, 'sh', undefined, [], undefined],
    [7, 'json', 'p.json', [], undefined],
    [10, 'sh', undefined, ['torch'], 30],
    [13, 'ts', undefined, [], undefined],
    [19, 'ts', undefined, [], undefined],
  ]);
  assert.equal(blocks[3].code, '```not a fence end\nconsole.log(1)');
  assert.equal(blocks[4].code, 'const a = 1;\n  console.log(a);', 'an indented block loses its indentation');
});

test('runnable blocks: an unknown word, a json block without file= or an unclosed fence is an error', () => {
  assert.throws(() => runnableBlocks('```sh runnable tourch\nx\n```'), /line 1: unknown word "tourch"/);
  assert.throws(() => runnableBlocks('```json runnable\n{}\n```'), /needs file=NAME/);
  assert.equal(runnableBlocks('```python runnable torch\nimport torch\n```')[0].requires[0], 'torch');
  assert.throws(() => runnableBlocks('text\n```sh runnable\nx\n'), /line 2: code block is never closed/);
});
