import { main } from '../../src/cli/main.js';

/** Runs the CLI in process with its stdout (console.log included) and stderr captured. */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const log = console.log;
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => (out += `${a.join(' ')}\n`);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'stagecredit', ...args]), out, err };
  } finally {
    console.log = log;
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}
