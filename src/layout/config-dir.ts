import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

/** Environment variables the layout functions read; pass `process.env` or a test object. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Expands a leading `~` (alone or followed by a separator) to `home`. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/** Makes a user-given path absolute: `~` expanded, relative paths resolved against `cwd`. */
export function absolutePath(path: string, home: string, cwd: string): string {
  const expanded = expandHome(path, home);
  return isAbsolute(expanded) ? resolve(expanded) : resolve(cwd, expanded);
}

/**
 * The config dir Claude Code uses for a given environment: `CLAUDE_CONFIG_DIR` when set
 * (an empty string counts as set, and then means the current folder, as it does for
 * Claude Code), else `~/.claude`.
 */
export function resolveConfigDir(env: Env, home: string, cwd: string = home): string {
  const configured = env.CLAUDE_CONFIG_DIR;
  if (configured !== undefined) return absolutePath(configured === '' ? '.' : configured, home, cwd);
  return join(home, '.claude');
}

/**
 * Where `.claude.json` (main state, OAuth account) lives for an account: beside the
 * config dir's parent as `~/.claude.json` when `CLAUDE_CONFIG_DIR` is unset, inside the
 * config dir when it is set. The library never reads, copies or links this file.
 */
export function claudeJsonPath(env: Env, home: string, cwd: string = home): string {
  if (env.CLAUDE_CONFIG_DIR !== undefined) return join(resolveConfigDir(env, home, cwd), '.claude.json');
  return join(home, '.claude.json');
}

/** The shared folder used when none is given: `~/.claude-shared/<folder>`. */
export function defaultSharedDir(home: string, folder = 'projects'): string {
  return join(home, '.claude-shared', folder);
}

/** Name of the folder, beside the shared folders, that holds their retained links. */
export const RETAINED_DIR = '.retained';

/**
 * Where the retained links of a shared folder live: `<shared parent>/.retained/<name>`,
 * outside `projects/` (Claude Code's cleanup never looks there) and on the same filesystem
 * as the shared folder (a hard link cannot cross devices).
 *
 * @example
 * retainedDirOf('/h/.claude-shared/projects') // '/h/.claude-shared/.retained/projects'
 */
export function retainedDirOf(sharedDir: string): string {
  return join(dirname(sharedDir), RETAINED_DIR, basename(sharedDir));
}

/** Where kept conflict copies go by default: `conflicts/` beside the shared folder. */
export function defaultConflictsDir(sharedDir: string): string {
  return join(dirname(sharedDir), 'conflicts');
}
