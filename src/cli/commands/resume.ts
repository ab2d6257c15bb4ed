import { spawn } from 'node:child_process';
import { resumeCommand } from '../../sessions/resume.js';
import type { Context } from '../context.js';
import { CliError, CliErrorCodes, ExitCode, type ExitCodeValue } from '../errors.js';

export interface ResumeOptions {
  print?: boolean;
  account?: string;
}

/** A word the shell reads as it is. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `resume <id>`: finds the account and folder that have the session and runs
 * `claude --resume <id>` there with that account's `CLAUDE_CONFIG_DIR` (`CLAUDE_BIN`
 * names another executable). `--print` prints the command line instead; the exit code is
 * Claude Code's own.
 */
export async function runResume(
  ctx: Context,
  id: string,
  claudeArgs: string[],
  options: ResumeOptions,
): Promise<ExitCodeValue> {
  const bin = ctx.io.env.CLAUDE_BIN || 'claude';
  const r = await resumeCommand(id, {
    ...ctx.discoverOptions(),
    claudeBin: bin,
    extraArgs: claudeArgs,
    ...(options.account === undefined ? {} : { account: options.account }),
  });
  const line = `cd ${shellQuote(r.cwd)} && CLAUDE_CONFIG_DIR=${shellQuote(r.env.CLAUDE_CONFIG_DIR)} ${[r.command, ...r.args].map(shellQuote).join(' ')}`;
  if (ctx.json) {
    ctx.emit({ ...r, commandLine: line });
    if (options.print) return ExitCode.OK;
  } else if (options.print) {
    ctx.io.stdout.write(`${line}\n`);
    return ExitCode.OK;
  }
  ctx.note(
    ctx.ce.dim(`Resuming ${r.session.sessionId} in ${ctx.tilde(r.cwd)} with ${ctx.tilde(r.env.CLAUDE_CONFIG_DIR)}`),
  );
  return new Promise<ExitCodeValue>((resolve, reject) => {
    const child = spawn(r.command, r.args, {
      cwd: r.cwd,
      env: { ...ctx.io.env, ...r.env },
      stdio: 'inherit',
    });
    // Ctrl+C is Claude Code's to handle: it reaches it through the terminal.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.removeListener('SIGINT', ignore);
      reject(
        new CliError(
          CliErrorCodes.CLAUDE_NOT_STARTED,
          `Could not start ${bin} (${error.code ?? error.message}). Is Claude Code installed and on your PATH? CLAUDE_BIN names the executable. Or run: ${line}`,
          { cause: error },
        ),
      );
    });
    child.once('exit', (code, signal) => {
      process.removeListener('SIGINT', ignore);
      // Claude Code's exit code is passed on as it is (it need not be one of ours).
      resolve((code ?? (signal ? 128 : 1)) as ExitCodeValue);
    });
  });
}
