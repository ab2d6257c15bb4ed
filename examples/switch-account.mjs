#!/usr/bin/env node
// @ts-check
/**
 * A custom account switcher built on claude-shared-sessions: makes sure an account shares
 * the sessions folder, then starts `claude` with that account's CLAUDE_CONFIG_DIR.
 *
 *   node examples/switch-account.mjs ~/.claude-2                 # share if needed, then run claude
 *   node examples/switch-account.mjs ~/.claude-2 --dry-run       # show what it would do, change nothing
 *   node examples/switch-account.mjs ~/.claude-2 -- --resume     # arguments after -- go to claude
 *   node examples/switch-account.mjs ~/.claude-2 --resume 3f2a9c1e   # resume that session, in its folder
 *
 * Options: --home <dir> (where ~ points), --shared <dir> (the shared projects folder),
 * --yes (share without asking), --dry-run, --resume <id> (the library's resumeCommand finds
 * the session and the folder it was started in). CLAUDE_BIN overrides the `claude` executable.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  absolutePath,
  applyPlan,
  defaultSharedDir,
  describePlan,
  discoverAccounts,
  isSharedSessionsError,
  resumeCommand,
  share,
} from 'claude-shared-sessions';

const USAGE =
  'usage: switch-account.mjs <config-dir> [--home dir] [--shared dir] [--dry-run] [--yes] [--resume id] [-- claude arguments]';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      home: { type: 'string' },
      shared: { type: 'string' },
      yes: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      resume: { type: 'string' },
    },
  });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(1);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const { values, positionals } = parsed;
const [target, ...claudeArgs] = positionals;
if (!target) {
  console.error(USAGE);
  process.exit(1);
}

const home = values.home ?? homedir();
const account = absolutePath(target, home, process.cwd());
const sharedDir = absolutePath(values.shared ?? defaultSharedDir(home), home, process.cwd());
const dryRun = values['dry-run'];

try {
  const [found] = await discoverAccounts({ home, accounts: [account], sharedDir });
  if (!found?.exists) throw new Error(`${account} is not a Claude Code config dir.`);

  if (found.projects.kind === 'linked') {
    console.log(`${found.label} already shares ${sharedDir}.`);
  } else {
    // Share only this account: the others keep their choice (sharing is opt-in).
    const plan = await share({ home, accounts: [account], sharedDir });
    console.log(describePlan(plan));
    if (dryRun) {
      console.log(`Dry run: ${plan.operations.length} operations not applied; claude not started.`);
      process.exit(0);
    }
    if (!values.yes) {
      if (!process.stdin.isTTY) throw new Error('Not on a terminal: pass --yes to share without asking.');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Share ${found.label}'s sessions now? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) process.exit(3);
    }
    const report = await applyPlan(plan);
    console.log(`${found.label} now shares ${sharedDir} (${report.operationsDone} operations).`);
  }
  const claude = process.env.CLAUDE_BIN ?? 'claude';
  // With --resume: `claude --resume <id>` in the folder the session was started in, found
  // through this account (which now sees every shared session).
  const run =
    values.resume === undefined
      ? { command: claude, args: claudeArgs, cwd: process.cwd() }
      : await resumeCommand(values.resume, { home, accounts: [account], claudeBin: claude, extraArgs: claudeArgs });
  if (dryRun) {
    console.log(
      `Dry run: would run ${[run.command, ...run.args].join(' ')} in ${run.cwd} with CLAUDE_CONFIG_DIR=${account}`,
    );
    process.exit(0);
  }

  const child = spawn(run.command, run.args, {
    stdio: 'inherit',
    cwd: run.cwd,
    env: { ...process.env, CLAUDE_CONFIG_DIR: account },
  });
  child.on('error', (error) => {
    console.error(`Could not start ${claude}: ${error.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} catch (error) {
  // Typed errors (ECLAUDE_RUNNING, ESTALE_PLAN, ...) say what to do; print them as they are.
  console.error(isSharedSessionsError(error) ? `${error.code}: ${error.message}` : String(error));
  process.exit(1);
}
