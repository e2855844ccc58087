import type { Command } from 'commander';
import { verifyRun } from '../pipeline/index.js';

/** `stagecredit verify RUN_DIR`: checks a run directory and names every inconsistency (exit 1 if any). */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a run directory: recorded hashes, checkpoint positions, trace against data, derived files against the run')
    .argument('<run-dir>', 'a run directory (from `stagecredit train`)')
    .action((dir: string) => {
      const report = verifyRun(dir);
      for (const f of report.findings) console.log(`${f.ok ? 'ok ' : 'BAD'}  ${f.subject}: ${f.message}`);
      const badCount = report.findings.filter((f) => !f.ok).length;
      // main() turns a thrown error into exit code 1 with this message on stderr.
      if (!report.ok) throw new Error(`${dir}: ${badCount} problem(s) (lines marked BAD above)`);
      console.log(`${dir}: consistent`);
    });
}
