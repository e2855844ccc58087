import type { Command } from 'commander';
import { buildProgram, main } from '../../src/cli/main.js';

/**
 * Runs the CLI in process and captures what it prints: console.log, stderr, and commander's own
 * help and error output. (process.stdout itself is left alone: the test runner reports on it.)
 */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const program = buildProgram();
  const redirect = (c: Command): void => {
    c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    c.commands.forEach(redirect);
  };
  redirect(program);
  const log = console.log;
  const writeErr = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => (out += `${a.join(' ')}\n`);
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'stagecredit', ...args], program), out, err };
  } finally {
    console.log = log;
    process.stderr.write = writeErr;
  }
}
