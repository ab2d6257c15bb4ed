import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ErrorCodes } from '../errors.js';
import { VERSION } from '../version.js';
import { runApply, type ShareFlags } from './commands/apply.js';
import { runDoctor } from './commands/doctor.js';
import { type ListOptions, runList } from './commands/list.js';
import { runPlan } from './commands/plan.js';
import { runRecover } from './commands/recover.js';
import { type ResumeOptions, runResume } from './commands/resume.js';
import { type RetainOptions, runRetain } from './commands/retain.js';
import { type Carry, runRollback } from './commands/rollback.js';
import { runStatus } from './commands/status.js';
import { completionScript, type Shell } from './completion.js';
import { Context, colorEnabled, type GlobalOptions } from './context.js';
import { runDemo } from './demo.js';
import { CliErrorCodes, codeOf, ExitCode, type ExitCodeValue, errorToJSON, exitCodeFor } from './errors.js';
import { safeText } from './format.js';
import { type CliIO, processIO } from './io.js';
import { rerunWithLargerPool, wantsLargerPool } from './pool.js';

export { CliError, CliErrorCodes, ExitCode } from './errors.js';
export type { CliIO } from './io.js';

/** Where a run's exit code ends up; the actions set it. */
export interface RunState {
  exitCode: ExitCodeValue;
}

const HELP_AFTER = `
Exit codes:
  0  success (for plan and doctor: nothing to do)
  1  error
  2  plan or doctor found work to do
  3  refused: stale plan, lock held, Claude Code running, dirty journal, not confirmed

Nothing is changed without a confirmation on a terminal, or --yes in a script.
Global options go after the command or before it: status --accounts ~/.claude ~/.claude-2`;

function cleanupDays(value: string): number | false {
  if (value === 'off') return false;
  return positiveInteger(value);
}

/** The options of `plan` and `apply` that shape a fresh share plan. */
function shareFlags(command: Command): Command {
  return command
    .addOption(
      choice(
        '--on-diverged <how>',
        'diverged copies of a session: fork (each stays resumable, the newest keeps the id), keep-newest (others kept aside in the conflicts folder, no picker lists them), refuse',
        ['fork', 'keep-newest', 'refuse'],
        'fork',
      ),
    )
    .option(
      '--map-path <from=to>',
      'another machine’s path prefix and this machine’s, for synced sessions (repeatable)',
      collect,
    )
    .option(
      '--cleanup-days <days>',
      'cleanupPeriodDays written to every shared account (default: the largest set, at least 3650); off leaves settings alone',
      cleanupDays,
    )
    .option('--allow-lower', "let --cleanup-days lower an account's period (refused otherwise)")
    .option(
      '--relative',
      'make each account’s link relative (../.claude-shared/projects), so a home copied with cp -a or restored from a backup still works',
    );
}

/** An option with a fixed set of values, whose default is shown but left to the library. */
function choice(flags: string, description: string, choices: string[], shown: string): Option {
  return new Option(flags, description).choices(choices).default(undefined, shown);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number above 0.');
  return n;
}

/** Prints an error as `code: sentence` (stderr), or as `{ "error": ... }` on stdout with --json. */
export function reportError(io: CliIO, options: GlobalOptions, error: unknown): ExitCodeValue {
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ error: errorToJSON(error) }, null, 2)}\n`);
  } else {
    const red = colorEnabled(options, io.env, io.stderr) ? (s: string) => `\u001b[31m${s}\u001b[39m` : (s: string) => s;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${red(codeOf(error))}: ${safeText(message, true)}\n`);
    // Details (what drifted, which issues) are listed unless the message already lists them.
    const details = (error as { details?: unknown } | undefined)?.details;
    if (Array.isArray(details)) {
      const lines = details
        .map((d) => (d as { message?: unknown }).message)
        .filter((m): m is string => typeof m === 'string' && !message.includes(m));
      for (const line of lines.slice(0, 20)) io.stderr.write(`  - ${safeText(line)}\n`);
      if (lines.length > 20) io.stderr.write(`  ... and ${lines.length - 20} more\n`);
    }
  }
  if (options.verbose) {
    let e: unknown = error;
    while (e instanceof Error) {
      io.stderr.write(`${e.stack ?? e.message}\n`);
      e = e.cause;
      if (e !== undefined) io.stderr.write('caused by: ');
    }
  } else if (codeOf(error) === ErrorCodes.IO) {
    io.stderr.write('Run again with --verbose for the details.\n');
  }
  return exitCodeFor(error);
}

/** Builds the command tree. Exported for tests that run it in-process with fake streams. */
export function buildProgram(io: CliIO = processIO(), state: RunState = { exitCode: ExitCode.OK }): Command {
  const program = new Command();
  program
    .name('claude-shared-sessions')
    .description(
      'Share one Claude Code sessions folder between several accounts (config dirs) on this machine, so that `claude --resume` in any account lists and resumes every session.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .option('--accounts <dir...>', 'config dirs to work on (default: ~/.claude and ~/.claude-* found in --home)')
    .option('--home <dir>', 'where discovery looks, and where ~ points (default: your home folder)')
    .option('--shared <dir>', 'the shared projects folder (default: <home>/.claude-shared/projects)')
    .option('--folders <name...>', 'folders to share besides projects (memory, file-history, todos, ...)')
    .option('--json', 'machine-readable output on stdout, and nothing else there')
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--verbose', 'more detail, and stack traces on errors')
    .option(
      '--force-running',
      'apply, roll back or fix even while Claude Code runs with an account (lines it writes meanwhile may end up in a backup only)',
    )
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => {
        // With --json a usage error is reported as JSON by run(); keep stderr quiet then.
        if (!program.opts<GlobalOptions>().json) write(s);
      },
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    // Each command's --help lists the global options it accepts too.
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', HELP_AFTER);

  const action =
    <A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<ExitCodeValue>) =>
    async (...args: A) => {
      const cmd = args[args.length - 1] as Command;
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      try {
        state.exitCode = await fn(new Context(io, globals), ...args);
      } catch (error) {
        state.exitCode = reportError(io, globals, error);
      }
    };

  program
    .command('status')
    .description(
      'each account: folder state, sessions, size, linked?, Claude Code running?, cleanupPeriodDays, backups',
    )
    .action(action(async (ctx) => runStatus(await ctx.withSharedFolders())));

  shareFlags(
    program
      .command('plan')
      .description(
        'show what sharing would do (conflicts and warnings first); changes nothing. Exit 2 when there is work',
      )
      .option('-o, --out <file>', 'save the plan as JSON, to apply later with apply --plan'),
  ).action(action((ctx, opts: { out?: string } & ShareFlags) => runPlan(ctx, opts)));

  shareFlags(
    program
      .command('apply')
      .description('apply a saved plan, or plan afresh; shows it and asks first')
      .option('-p, --plan <file>', 'a plan saved by plan --out (refused if the disk changed since)')
      .option('-n, --dry-run', 'show the plan and change nothing, as plan does (exit 2 when there is work)'),
  ).action(action((ctx, opts: { plan?: string; dryRun?: boolean } & ShareFlags) => runApply(ctx, opts)));

  program
    .command('rollback')
    .description('remove the links and put the backups back; shows the plan and asks first')
    .addOption(
      choice(
        '--carry <what>',
        'sessions made while shared to bring back: own (those the account’s history.jsonl names; the plan lists every session no account will reach), none, all',
        ['none', 'own', 'all'],
        'own',
      ),
    )
    .option('--backup <dir>', 'restore this backup instead of the newest')
    .option('-n, --dry-run', 'show the plan and change nothing (exit 2 when there is work)')
    .action(action((ctx, opts: { carry?: Carry; backup?: string; dryRun?: boolean }) => runRollback(ctx, opts)));

  program
    .command('recover')
    .description('finish or undo an apply that was interrupted, from its journal')
    .action(action((ctx) => runRecover(ctx)));

  program
    .command('list')
    .description('sessions across the chosen accounts, newest first')
    .addOption(
      new Option('--project <dir>', 'sessions of this working directory (default: the current one)').conflicts('all'),
    )
    .option('-a, --all', 'sessions of every project')
    .option('-n, --limit <n>', 'at most this many', positiveInteger)
    .option('--picker', 'only what Claude Code’s /resume picker shows (no -p or SDK sessions, no other worktrees)')
    .option('--full-ids', 'whole session ids, to paste into claude --resume (default: the first 8 characters)')
    .option('--no-worktrees', 'leave out the sessions of the project’s other git worktrees (the SDK lists them)')
    .action(action((ctx, opts: ListOptions) => runList(ctx, opts)));

  program
    .command('resume')
    .description(
      'resume a session from any account: runs claude --resume <id> in its folder with an account that has it',
    )
    .argument('<id>', 'a session id, or its start (list shows the first 8 characters)')
    .argument('[claude-args...]', 'more arguments for claude (after --)')
    .option('--print', 'print the command line instead of running it')
    .option('--account <dir>', 'the account to resume in, when several have the session')
    .action(
      action((ctx, id: string, claudeArgs: string[], opts: ResumeOptions) => runResume(ctx, id, claudeArgs, opts)),
    );

  program
    .command('doctor')
    .description(
      'check links, sharing, cleanupPeriodDays, stale indexes, backups, conflicts, journal, running Claude Code',
    )
    .option('--fix', 'apply the safe fixes, through a plan shown first')
    .option(
      '--map-path <from=to>',
      'another machine’s path prefix and this machine’s, for synced sessions (repeatable)',
      collect,
    )
    .action(
      action(async (ctx, opts: { fix?: boolean; mapPath?: string[] }) =>
        runDoctor(await ctx.withSharedFolders(), opts),
      ),
    );

  program
    .command('retain')
    .description(
      'keep a hard link of every shared file outside projects/ (the safety net against Claude Code’s cleanup); shows the plan and asks first',
    )
    .option('--recover', 'also bring back the shared files deleted since they were retained (as doctor --fix does)')
    .option(
      '--prune',
      'let go of the retained links of shared files you deleted on purpose, releasing their space (no way back)',
    )
    .option('-n, --dry-run', 'show the plan and change nothing (exit 2 when there is work)')
    .action(action(async (ctx, opts: RetainOptions) => runRetain(await ctx.withSharedFolders(), opts)));

  program
    .command('demo')
    .description('build a sandbox of three accounts in a temp folder and run status, plan, apply, list, rollback on it')
    .option('--keep', 'keep the sandbox folder afterwards')
    .action(action((ctx, opts: { keep?: boolean }) => runDemo(ctx, { keep: opts.keep ?? false })));

  program
    .command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .addArgument(program.createArgument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(
      action(async (ctx, shell: Shell) => {
        ctx.io.stdout.write(completionScript(program, shell));
        return ExitCode.OK;
      }),
    );

  for (const command of program.commands) {
    const examples = EXAMPLES[command.name()];
    if (examples === undefined) continue;
    command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ claude-shared-sessions ${e}`).join('\n')}`);
  }
  return program;
}

/** Two examples per command, shown at the end of its --help (and so in docs/cli.md). */
const EXAMPLES: Record<string, readonly string[]> = {
  status: ['status', 'status --json --accounts ~/.claude ~/.claude-2'],
  plan: ['plan', 'plan --out share-plan.json --accounts ~/.claude ~/.claude-work'],
  apply: ['apply --plan share-plan.json', 'apply --dry-run --accounts ~/.claude ~/.claude-2'],
  rollback: ['rollback --dry-run', 'rollback --carry own'],
  recover: ['recover', 'recover --yes --json'],
  list: ['list --all --limit 20', 'list --project ~/code/app --json'],
  resume: ['resume 3f2a9c1e', 'resume 3f2a9c1e --print --accounts ~/.claude ~/.claude-2'],
  doctor: ['doctor', 'doctor --fix'],
  retain: ['retain --yes', 'retain --prune --dry-run'],
  demo: ['demo', 'demo --keep'],
  completion: [
    'completion bash >> ~/.bashrc',
    'completion fish > ~/.config/fish/completions/claude-shared-sessions.fish',
  ],
};

/**
 * `--accounts a b status` reads as `status --accounts a b`: a command name met among the
 * values of a list option given before any command is taken as the command. (A folder
 * really named like a command is written `./status`.)
 */
export function commandFirst(argv: readonly string[], program: Command): string[] {
  const commands = new Set(['help', ...program.commands.flatMap((c) => [c.name(), ...c.aliases()])]);
  const options = new Map(program.options.flatMap((o) => [o.long, o.short].filter((f) => f).map((f) => [f, o])));
  const args = argv.slice(2);
  let inList = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      const [flag, value] = arg.split('=');
      const option = options.get(flag as string);
      inList = option?.variadic === true;
      // The value of an option that takes one (`--home /x`) is not a command.
      if (option !== undefined && !option.variadic && option.required && value === undefined) i++;
      continue;
    }
    if (!inList) break;
    if (commands.has(arg)) return [...argv.slice(0, 2), arg, ...args.slice(0, i), ...args.slice(i + 1)];
  }
  return [...argv];
}

/** Runs the command with `argv` (as `process.argv`) and returns its exit code. */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCodeValue> {
  const state: RunState = { exitCode: ExitCode.OK };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(commandFirst(argv, program));
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.OK;
      const json = program.opts<GlobalOptions>().json === true || argv.includes('--json');
      if (json) {
        const message = error.message.replace(/^error: /, '');
        io.stdout.write(`${JSON.stringify({ error: { code: CliErrorCodes.USAGE, message } }, null, 2)}\n`);
      }
      return ExitCode.ERROR;
    }
    return reportError(io, program.opts<GlobalOptions>(), error);
  }
  return state.exitCode;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint() && wantsLargerPool(process.argv, process.env)) {
  rerunWithLargerPool();
} else if (isEntryPoint()) {
  run(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      processIO().stderr.write(`${String(error)}\n`);
      process.exitCode = ExitCode.ERROR;
    },
  );
}
