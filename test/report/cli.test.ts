import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { registerReport } from '../../src/cli/report.js';
import { scratch } from '../pipeline/helpers.js';
import { blobsManifest, trainAttributeValidate } from './fixtures.js';

async function runReport(args: string[]): Promise<string[]> {
  const program = new Command('stagecredit').exitOverride();
  registerReport(program);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    await program.parseAsync(['node', 'stagecredit', 'report', ...args]);
  } finally {
    console.log = log;
  }
  return lines;
}

describe('stagecredit report', () => {
  it('is registered on the program', () => {
    assert.ok(buildProgram().commands.some((c) => c.name() === 'report'));
  });

  it('writes report.html and results.json and prints the page\'s path (or file URL)', async () => {
    const dir = join(scratch('stagecredit-report-cli-'), 'run');
    await trainAttributeValidate(dir, blobsManifest(), { validate: false });
    const html = join(dir, 'report.html');
    assert.deepEqual(await runReport([dir]), [html]);
    assert.ok(existsSync(html) && existsSync(join(dir, 'results.json')));
    assert.deepEqual(await runReport([dir, '--open-path']), [pathToFileURL(html).href]);
  });

  it('fails clearly on a directory that is not a run', async () => {
    const dir = scratch('stagecredit-report-cli-');
    await assert.rejects(runReport([dir]), /no run\.json/);
  });
});
