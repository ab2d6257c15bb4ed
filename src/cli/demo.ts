import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, type Sandbox } from '../demo/sandbox.js';
import { generateTranscript, transcriptEndMs } from '../demo/transcript.js';
import { encodeProjectDir } from '../layout/names.js';
import { runApply } from './commands/apply.js';
import { runList } from './commands/list.js';
import { runPlan } from './commands/plan.js';
import { runRollback } from './commands/rollback.js';
import { runStatus } from './commands/status.js';
import { Context } from './context.js';
import { ExitCode, type ExitCodeValue } from './errors.js';

export interface DemoOptions {
  keep: boolean;
}

/**
 * Builds a sandbox of three accounts with realistic sessions in a temp folder, then runs
 * the real commands on it (status, plan, apply, list, rollback), saying before each
 * what it is about to show and the command line a user would type. Removes the sandbox
 * unless asked to keep it. Never looks at the real home folder.
 */
export async function runDemo(ctx: Context, options: DemoOptions): Promise<ExitCodeValue> {
  const { c } = ctx;
  const out = (line = '') => ctx.io.stdout.write(`${line}\n`);
  const root = await mkdtemp(join(tmpdir(), 'claude-shared-sessions-demo-'));
  try {
    const sandbox = await createSandbox({ fs: ctx.fs, root, nowMs: ctx.io.now().getTime() - 3_600_000 });
    const globals = { home: sandbox.home, shared: sandbox.sharedDir, yes: true, color: ctx.options.color !== false };
    const inner = new Context(
      { ...ctx.io, cwd: sandbox.home },
      { ...globals, ...(ctx.verbose ? { verbose: true } : {}) },
      ctx.fs,
    );
    const command = `claude-shared-sessions --home ${sandbox.home}`;

    const step = async (n: number, title: string, argv: string, explain: string, run: () => Promise<unknown>) => {
      out();
      out(c.bold(c.cyan(`${n}. ${title}`)));
      out(c.dim(`   ${explain}`));
      out(c.dim(`   $ ${command} ${argv}`));
      out();
      await run();
    };

    out(c.bold('claude-shared-sessions demo'));
    out(
      `A sandbox home with three Claude Code accounts: ${sandbox.accounts.map((a) => a.slice(sandbox.home.length + 1)).join(', ')}.`,
    );
    out(`It lives in ${root}; below, ~ stands for its home folder. Your own ~/.claude* are never read.`);
    out('Planted on purpose: a session copied identically into two accounts, one continued in one');
    out('account after the copy (a prefix), and one continued differently in two (diverged).');

    const planFile = join(root, 'share-plan.json');
    await step(1, 'status', 'status', 'Each account has its own projects/ folder and sees only its own sessions.', () =>
      runStatus(inner),
    );
    await step(
      2,
      'plan',
      `plan --out ${planFile}`,
      'What sharing would do. Nothing is written but the plan file.',
      () => runPlan(inner, { out: planFile }),
    );
    await step(3, 'apply', `apply --plan ${planFile} --yes`, 'Applies the saved plan: merge, back up, link.', () =>
      runApply(inner, { plan: planFile }),
    );
    await step(4, 'status', 'status', 'Every account now links to one shared folder.', () => runStatus(inner));
    await step(5, 'list', 'list --all', 'Every session once, with the accounts that see it (all of them, now).', () =>
      runList(inner, { all: true }),
    );
    const added = await writeSessionWhileShared(inner, sandbox);
    await step(
      6,
      'rollback',
      'rollback --carry own --yes',
      `Unlinks and restores each backup; --carry own brings back the session ${added.slice(0, 8)} written in .claude-2 while shared.`,
      () => runRollback(inner, { carry: 'own' }),
    );
    await step(
      7,
      'status',
      'status',
      'Each account has its own projects/ folder again (its backup moved back); the shared folder stays.',
      () => runStatus(inner),
    );
  } finally {
    out();
    if (options.keep) out(`Kept the sandbox: ${root}`);
    else {
      await rm(root, { recursive: true, force: true });
      out(c.dim(`Removed the sandbox ${root}.`));
    }
  }
  return ExitCode.OK;
}

/** As if Claude Code, started with .claude-2, began a session after sharing. */
async function writeSessionWhileShared(ctx: Context, sandbox: Sandbox): Promise<string> {
  const id = 'de300000-0000-4000-8000-000000000001';
  const cwd = '/home/dev/code/api-server';
  const text = generateTranscript({
    sessionId: id,
    cwd,
    gitBranch: 'main',
    prompts: ['Started in .claude-2 while sharing'],
    // A few seconds after the share's backups were stamped, as if written a moment later.
    startMs: ctx.io.now().getTime() + 2000,
  });
  const account = sandbox.accounts[1] ?? '';
  const dir = join(account, 'projects', encodeProjectDir(cwd).name);
  await ctx.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${id}.jsonl`);
  await ctx.fs.writeFile(path, text, { mode: 0o600 });
  const end = transcriptEndMs(text);
  await ctx.fs.utimes(path, end, end);
  return id;
}
