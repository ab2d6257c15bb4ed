import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import pc from 'picocolors';
import type { DiscoverOptions } from '../accounts/discover.js';
import { sharedFolders } from '../accounts/shared-folders.js';
import { createNodeFileSystem } from '../fs/node.js';
import type { FileSystem } from '../fs/types.js';
import { absolutePath, defaultSharedDir } from '../layout/config-dir.js';
import { resolveFolders } from '../layout/folders.js';
import { safeText } from './format.js';
import type { CliIO, OutputStream } from './io.js';

/** The options every command accepts, as commander parses them. */
export interface GlobalOptions {
  accounts?: string[];
  home?: string;
  shared?: string;
  folders?: string[];
  json?: boolean;
  yes?: boolean;
  /** False with `--no-color`. */
  color?: boolean;
  verbose?: boolean;
  /** `--force-running`: apply although Claude Code runs with an account of the plan. */
  forceRunning?: boolean;
}

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour is on only for a terminal, never with `--no-color`, a non-empty `NO_COLOR`
 * (no-color.org) or `TERM=dumb`; `FORCE_COLOR` (not `0`) turns it on without a terminal.
 */
export function colorEnabled(options: GlobalOptions, env: CliIO['env'], stream: OutputStream): boolean {
  if (options.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Resolved global options and the process's streams, handed to every command. */
export class Context {
  readonly io: CliIO;
  readonly options: GlobalOptions;
  readonly fs: FileSystem;
  readonly home: string;
  /** The shared `projects` folder. */
  readonly sharedDir: string;
  /** Shared folder per folder name; the others sit beside the shared `projects`. */
  readonly sharedDirs: Record<string, string>;
  readonly folders: string[];
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for stdout. */
  readonly c: Colors;
  /** Colours for stderr (progress, prompts, errors). */
  readonly ce: Colors;

  constructor(io: CliIO, options: GlobalOptions, fs: FileSystem = createNodeFileSystem()) {
    this.io = io;
    this.options = options;
    this.fs = fs;
    this.home = options.home === undefined ? homedir() : absolutePath(options.home, homedir(), io.cwd);
    this.sharedDir = absolutePath(options.shared ?? defaultSharedDir(this.home), this.home, io.cwd);
    // Refuses per-account folders (sessions/, credentials, ...) for every command alike.
    this.folders = resolveFolders(options.folders);
    this.sharedDirs = Object.fromEntries(
      this.folders.map((f) => [f, f === 'projects' ? this.sharedDir : join(dirname(this.sharedDir), f)]),
    );
    this.json = options.json === true;
    this.verbose = options.verbose === true;
    this.c = pc.createColors(!this.json && colorEnabled(options, io.env, io.stdout));
    this.ce = pc.createColors(colorEnabled(options, io.env, io.stderr));
  }

  /** True when a person can answer a prompt: stdin and stderr are terminals. */
  get interactive(): boolean {
    return this.io.stdin.isTTY === true && this.io.stderr.isTTY === true;
  }

  /** The explicit account list, `~` expanded, when `--accounts` was given. */
  get accounts(): string[] | undefined {
    return this.options.accounts?.map((a) => absolutePath(a, this.home, this.io.cwd));
  }

  /**
   * Options for discovery and for every verb. `CLAUDE_CONFIG_DIR` counts only when
   * `--home` is not given: a sandbox must not pick up the real account of the caller.
   */
  discoverOptions(): DiscoverOptions {
    const accounts = this.accounts;
    return {
      fs: this.fs,
      home: this.home,
      cwd: this.io.cwd,
      env: this.io.env,
      includeEnv: this.options.home === undefined,
      sharedDir: this.sharedDir,
      sharedDirs: this.sharedDirs,
      folders: this.folders,
      ...(accounts === undefined ? {} : { accounts }),
    };
  }

  /**
   * This context, or, when `--folders` was not given, one with the folders the accounts
   * share (`sharedFolders`: the links `share --folders` made), so that `status`, `doctor`
   * and `retain` need not repeat them.
   */
  async withSharedFolders(): Promise<Context> {
    if (this.options.folders !== undefined) return this;
    const folders = await sharedFolders(this.discoverOptions());
    if (folders.length <= 1) return this;
    return new Context(this.io, { ...this.options, folders }, this.fs);
  }

  /** A line of human output on stdout; nothing with `--json`. */
  say(line = ''): void {
    if (!this.json) this.io.stdout.write(`${safeText(line, true)}\n`);
  }

  /** Machine output: the one JSON document on stdout. */
  emit(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Side remarks (progress, what is being done) on stderr, in every mode. */
  note(line = ''): void {
    this.io.stderr.write(`${safeText(line, true)}\n`);
  }

  /** Detail shown only with `--verbose`, on stderr. */
  debug(line: string): void {
    if (this.verbose) this.io.stderr.write(`${this.ce.dim(safeText(line, true))}\n`);
  }

  /** A path for people: `~/...` under the home folder. */
  tilde(path: string): string {
    const rel = relative(this.home, path);
    if (rel === '') return '~';
    if (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel)) return `~${sep}${rel}`;
    return path;
  }
}
