import { Command } from 'commander';
import { VERSION } from '../version.js';
import { runDemo } from './demo.js';

/** Builds the command tree; exported for tests that run it in-process. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('claude-shared-sessions')
    .description(
      'Share one Claude Code sessions folder between several accounts (config dirs) on this machine,\n' +
        'so that `claude --resume` in any account lists and resumes every session.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError();

  program
    .command('demo')
    .description('build a sandbox of three accounts in a temp folder and show what the library sees')
    .option('--keep', 'keep the sandbox folder afterwards')
    .action(async (opts: { keep?: boolean }) => {
      await runDemo({ keep: opts.keep ?? false, out: process.stdout });
    });

  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`claude-shared-sessions: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
