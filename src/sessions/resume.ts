import { homedir } from 'node:os';
import { join } from 'node:path';
import { type DiscoverOptions, discoverAccounts } from '../accounts/discover.js';
import { ErrorCodes, SharedSessionsError } from '../errors.js';
import { defaultFileSystem } from '../fs/node.js';
import { readRange } from '../fs/read.js';
import type { FileSystem } from '../fs/types.js';
import { absolutePath } from '../layout/config-dir.js';
import { projectDirMatches, sessionIdOfFile } from '../layout/names.js';
import type { SessionSource } from './types.js';

export interface FindSessionOptions extends Omit<DiscoverOptions, 'accounts'> {
  /**
   * Where to look: `Account`s or config dir paths. Default: the accounts
   * `discoverAccounts` finds with the other options.
   */
  accounts?: readonly SessionSource[];
}

/** Where a session is, and where Claude Code must be started to resume it. */
export interface FoundSession {
  sessionId: string;
  /** The transcript, as seen through the first account that has it. */
  path: string;
  /** The name of its project folder (`-home-me-app`). */
  projectDir: string;
  /** Every config dir whose `projects/` holds the session (all of them, once shared). */
  accounts: string[];
  /**
   * The working directory the session was started in (the `cwd` of its first record
   * whose project folder is this one); undefined when no record says.
   */
  cwd?: string;
}

const HEAD_BYTES = 65_536;
const ID_PREFIX_RE = /^[0-9a-f-]{4,36}$/i;

/**
 * Finds a session by id (or by a unique prefix of at least 4 characters, such as the 8
 * that `list` shows) in the chosen accounts: which config dirs have it, its transcript
 * and the folder it was started in. Reads each account's project folder names and at
 * most the first 64 KB of the transcript.
 *
 * Throws `EINVALID_OPTION` for something that is not an id or a prefix of one, or a
 * prefix that several sessions share, and `ENOTFOUND_SESSION` when no account has it.
 *
 * @example
 * ```ts
 * const found = await findSession('3f2a9c1e');
 * console.log(found.sessionId, found.accounts, found.cwd);
 * ```
 */
export async function findSession(id: string, options: FindSessionOptions = {}): Promise<FoundSession> {
  if (!ID_PREFIX_RE.test(id)) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `${JSON.stringify(id)} is not a session id. Copy one from \`claude-shared-sessions list --all --full-ids\` (or its first 8 characters).`,
    );
  }
  const fs = options.fs ?? defaultFileSystem();
  const wanted = id.toLowerCase();
  const accounts = await accountDirs(options, fs);
  /** session id -> its copies: [account, project folder, path]. */
  const found = new Map<string, { account: string; projectDir: string; path: string }[]>();
  for (const account of accounts) {
    const projects = join(account, 'projects');
    const dirs = await fs.readdir(projects).catch(() => []);
    for (const dir of dirs) {
      // Claude Code does not list transcripts in a linked project folder: neither do we.
      if (dir.type !== 'directory') continue;
      const folder = join(projects, dir.name);
      const files = await fs.readdir(folder).catch(() => []);
      for (const file of files) {
        if (file.type !== 'file') continue;
        const sessionId = sessionIdOfFile(file.name);
        if (sessionId === undefined || !sessionId.toLowerCase().startsWith(wanted)) continue;
        const copies = found.get(sessionId) ?? [];
        copies.push({ account, projectDir: dir.name, path: join(folder, file.name) });
        found.set(sessionId, copies);
      }
    }
  }
  if (found.size === 0) {
    throw new SharedSessionsError(
      ErrorCodes.SESSION_NOT_FOUND,
      `No session ${id} in ${accounts.length === 1 ? 'the account' : `any of the ${accounts.length} accounts`} (${accounts.join(', ')}). \`claude-shared-sessions list --all\` lists the sessions there.`,
    );
  }
  if (found.size > 1) {
    throw new SharedSessionsError(
      ErrorCodes.INVALID_OPTION,
      `${id} is the start of ${found.size} session ids (${[...found.keys()].sort().join(', ')}): give more of it.`,
    );
  }
  const [[sessionId, copies]] = [...found] as [[string, { account: string; projectDir: string; path: string }[]]];
  const first = copies[0] as { account: string; projectDir: string; path: string };
  const cwd = await cwdOf(fs, first.path, first.projectDir);
  return {
    sessionId,
    path: first.path,
    projectDir: first.projectDir,
    accounts: [...new Set(copies.map((c) => c.account))],
    ...(cwd === undefined ? {} : { cwd }),
  };
}

export interface ResumeCommandOptions extends FindSessionOptions {
  /** The account to resume in, when several have the session. @default the first that has it */
  account?: string;
  /** The Claude Code executable. @default 'claude' */
  claudeBin?: string;
  /** Arguments passed to Claude Code after `--resume <id>`. */
  extraArgs?: readonly string[];
}

/** A command line to run: `spawn(command, args, { cwd, env: { ...process.env, ...env } })`. */
export interface ResumeCommand {
  command: string;
  args: string[];
  /** The folder the session was started in: Claude Code finds the session from there. */
  cwd: string;
  env: { CLAUDE_CONFIG_DIR: string };
  session: FoundSession;
}

/**
 * How to resume a session: `claude --resume <id>` started in the session's folder with
 * `CLAUDE_CONFIG_DIR` set to an account that has it. Nothing is run; see the
 * `claude-shared-sessions resume` command for that.
 *
 * Throws as {@link findSession} does; `ENOTFOUND_SESSION` also when `account` does not
 * have the session, when no record says where it was started, or when that folder no
 * longer exists.
 *
 * @example
 * ```ts
 * import { spawn } from 'node:child_process';
 * const r = await resumeCommand('3f2a9c1e');
 * spawn(r.command, r.args, { cwd: r.cwd, env: { ...process.env, ...r.env }, stdio: 'inherit' });
 * ```
 */
export async function resumeCommand(id: string, options: ResumeCommandOptions = {}): Promise<ResumeCommand> {
  const fs = options.fs ?? defaultFileSystem();
  const session = await findSession(id, { ...options, fs });
  let account = session.accounts[0] as string;
  if (options.account !== undefined) {
    const wanted = absolutePath(options.account, options.home ?? homedir(), options.cwd ?? process.cwd());
    if (!session.accounts.includes(wanted)) {
      throw new SharedSessionsError(
        ErrorCodes.SESSION_NOT_FOUND,
        `${wanted} does not have session ${session.sessionId}; ${session.accounts.join(', ')} ${session.accounts.length === 1 ? 'has' : 'have'} it. Share the sessions folder (claude-shared-sessions plan) or pick one of those.`,
        { path: wanted },
      );
    }
    account = wanted;
  }
  if (session.cwd === undefined) {
    throw new SharedSessionsError(
      ErrorCodes.SESSION_NOT_FOUND,
      `Session ${session.sessionId} (${session.path}) records no working directory, so there is no folder to resume it in. Start \`claude --resume ${session.sessionId}\` yourself in the project's folder.`,
      { path: session.path },
    );
  }
  const isDir = await fs.stat(session.cwd).then(
    (s) => s.type === 'directory',
    () => false,
  );
  if (!isDir) {
    throw new SharedSessionsError(
      ErrorCodes.SESSION_NOT_FOUND,
      `Session ${session.sessionId} was started in ${session.cwd}, which is not a folder any more; Claude Code finds a session from its folder. Create it again, or move the session's project folder.`,
      { path: session.cwd },
    );
  }
  return {
    command: options.claudeBin ?? 'claude',
    args: ['--resume', session.sessionId, ...(options.extraArgs ?? [])],
    cwd: session.cwd,
    env: { CLAUDE_CONFIG_DIR: account },
    session,
  };
}

async function accountDirs(options: FindSessionOptions, fs: FileSystem): Promise<string[]> {
  if (options.accounts !== undefined) {
    return [
      ...new Set(
        options.accounts.map((a) =>
          typeof a === 'string' ? absolutePath(a, options.home ?? homedir(), options.cwd ?? process.cwd()) : a.path,
        ),
      ),
    ];
  }
  const { accounts: _ignored, ...rest } = options as DiscoverOptions;
  return (await discoverAccounts({ ...rest, fs })).map((a) => a.path);
}

/** The first `cwd` in the transcript's first 64 KB that names its project folder. */
async function cwdOf(fs: FileSystem, path: string, projectDir: string): Promise<string | undefined> {
  let head: string;
  try {
    head = new TextDecoder().decode(await readRange(fs, path, 0, HEAD_BYTES));
  } catch {
    return undefined;
  }
  let fallback: string | undefined;
  for (const line of head.split('\n')) {
    if (!line.includes('"cwd"')) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue; // the last line may be cut at 64 KB
    }
    const cwd = (record as { cwd?: unknown } | null)?.cwd;
    if (typeof cwd !== 'string' || cwd === '') continue;
    if (projectDirMatches(projectDir, cwd)) return cwd;
    fallback ??= cwd;
  }
  return fallback;
}
