import { Command, CommanderError, Help, type Option } from 'commander';
import { readFileSync } from 'node:fs';
import { availableBackends, getBackend } from '../tensor/index.js';
import { registerTrain } from './train.js';
import { registerAttribute } from './attribute.js';
import { registerDemo } from './demo.js';
import { registerReport } from './report.js';
import { registerValidate } from './validate.js';
import { registerVerify } from './verify.js';

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
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ optionDescription: describeWithDefault })
    .exitOverride();
  registerTrain(program);
  registerDemo(program);
  registerAttribute(program);
  registerValidate(program);
  registerReport(program);
  registerVerify(program);
  for (const cmd of program.commands) for (const opt of cmd.options) offByDefault(opt);
  return program;
}

/**
 * Commander shows a default only when the option holds a value; defaults decided elsewhere (the
 * manifest, an estimator) are declared with `.default(undefined, 'description')` and shown too.
 */
function describeWithDefault(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option);
  return option.defaultValueDescription && !text.includes('(default: ') ? `${text} (default: ${option.defaultValueDescription})` : text;
}

/** A plain on/off flag is off unless given; say so in --help like every other default. */
function offByDefault(opt: Option): void {
  if (opt.isBoolean() && !opt.negate && opt.defaultValue === undefined && opt.long !== '--help') opt.default(false, 'off');
}

/**
 * Exit codes: 0 success (and --help, --version), 2 a usage error (bad flag, argument or option
 * value; commander has printed it with a hint), 1 a failure while working.
 */
export const EXIT_USAGE = 2;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[], program: Command = buildProgram()): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    console.error(`stagecredit: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.STAGECREDIT_DEBUG === '1' && err instanceof Error) console.error(err.stack);
    return 1;
  }
}
