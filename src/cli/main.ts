import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { availableBackends, getBackend } from '../tensor/index.js';
import { registerTrain } from './train.js';
import { registerAttribute } from './attribute.js';
import { registerDemo } from './demo.js';
import { registerReport } from './report.js';
import { registerValidate } from './validate.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The version and the numeric back-end in use (or why the requested one cannot run). */
function versionLine(): string {
  let using: string;
  try {
    using = getBackend().name;
  } catch (e) {
    using = `none (${(e as Error).message})`;
  }
  return `${pkg.version} (numeric back-end: ${using}; available: ${availableBackends().map((b) => b.name).join(', ')}; choose with STAGECREDIT_BACKEND)`;
}

/** Builds the command tree; each subcommand lives in its own module and is loaded on use. */
export function buildProgram(): Command {
  const program = new Command('stagecredit')
    .description('Which stage of a model\'s training is responsible for a behaviour, and how much? '
      + 'Trains a multi-stage run, estimates each stage\'s counterfactual effect without retraining, '
      + 'checks the estimates against retraining, and reports the result.')
    .version(versionLine())
    .showHelpAfterError()
    .exitOverride();
  registerTrain(program);
  registerDemo(program);
  registerAttribute(program);
  registerValidate(program);
  registerReport(program);
  return program;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    console.error(`stagecredit: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.STAGECREDIT_DEBUG === '1' && err instanceof Error) console.error(err.stack);
    return 1;
  }
}
