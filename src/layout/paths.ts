/**
 * Pure path helpers shared by the planners, {@link validatePlan} and the executor. No
 * filesystem: only `node:path` string arithmetic on the host's path flavour. Whether case
 * matters is not read here: it is a {@link PathRules} value, decided by `inspect` (the
 * snapshot's `caseInsensitive`) and carried in the plan ({@link pathRulesOf}).
 */
import { isAbsolute, join, normalize, sep } from 'node:path';
import { hostCaseInsensitive } from '../util/host.js';

/** True when `path` is absolute and already in normal form (no `.`/`..` segments, no doubled or trailing separators). */
export function isNormalAbsolute(path: string): boolean {
  if (!isAbsolute(path)) return false;
  const normal = normalize(path);
  // normalize keeps a trailing separator; a root like `/` or `C:\` legitimately ends in one.
  const trimmed =
    normal.length > 1 && normal.endsWith(sep) && !/^[A-Za-z]:\\$/.test(normal) ? normal.slice(0, -1) : normal;
  return trimmed === path;
}

/**
 * `normalize(path)`, without the work when `path` is already normal: on POSIX an absolute
 * path with no empty, `.` or `..` segment (the planners call this for every path they
 * look up, hundreds of thousands of times on a large plan).
 */
export function normalized(path: string): string {
  if (sep === '/' && path.startsWith('/') && !/\/\/|\/\.\.?(\/|$)/.test(path)) return path;
  return normalize(path);
}

/**
 * How paths compare: the one definition of path equality and containment, for a given
 * case rule. Get one with {@link pathRulesFor} or {@link pathRulesOf}; its functions need
 * no `this` (destructure them).
 */
export interface PathRules {
  /** Names that differ only in case are one name (the default filesystems of macOS and Windows). */
  readonly caseInsensitive: boolean;
  /**
   * The key that compares a name, or a path already in normal form (a plan's paths, which
   * validatePlan checks), with another: no normalisation (the executor calls it hundreds of
   * thousands of times on a large plan).
   */
  key(nameOrNormalPath: string): string;
  /** The key that compares any path with another: its normal form's {@link key}. */
  pathKey(path: string): string;
  /** True when `path` is `root` itself or lies under it (both absolute; normalised first). */
  isInside(root: string, path: string): boolean;
  /** {@link isInside} for paths already in normal form (no normalisation). */
  isInsideNormal(root: string, path: string): boolean;
  /** `path` relative to `root`, split into segments; undefined when it is not inside. */
  segmentsUnder(root: string, path: string): string[] | undefined;
  /** Maps `path` under `from` (all normal) to the same place under `to` (for things moved by a rename). */
  rebase(path: string, from: string, to: string): string;
}

function makeRules(caseInsensitive: boolean): PathRules {
  const key = caseInsensitive ? (text: string) => text.toLowerCase() : (text: string) => text;
  const isInsideNormal = (root: string, path: string): boolean => {
    const r = key(root);
    const p = key(path);
    if (p === r) return true;
    return p.startsWith(r.endsWith(sep) ? r : r + sep);
  };
  // A string prefix on normal forms: path.relative resolves both sides on every call,
  // which made validating a 20,000-operation plan take over a second.
  const isInside = (root: string, path: string): boolean =>
    isInsideNormal(trimSep(normalized(root)), trimSep(normalized(path)));
  return Object.freeze({
    caseInsensitive,
    key,
    pathKey: (path: string) => key(normalized(path)),
    isInside,
    isInsideNormal,
    segmentsUnder(root: string, path: string): string[] | undefined {
      const r = trimSep(normalized(root));
      const p = trimSep(normalized(path));
      if (!isInsideNormal(r, p)) return undefined;
      if (key(p) === key(r)) return [];
      // By segments, not path.relative: that compares with case on POSIX (a path under
      // `/Users/U/.claude` would be `../../u/.claude/...` from `/Users/u/.claude`).
      const depth = r.split(sep).filter((s) => s !== '').length + (r.startsWith(sep) ? 1 : 0);
      return p.split(sep).slice(depth);
    },
    rebase(path: string, from: string, to: string): string {
      if (key(path) === key(from)) return to;
      const rest = path.slice(from.endsWith(sep) ? from.length : from.length + 1);
      return join(to, rest);
    },
  });
}

const SENSITIVE = makeRules(false);
const INSENSITIVE = makeRules(true);

/** The rules for `caseInsensitive` (one shared value for each). */
export function pathRulesFor(caseInsensitive: boolean): PathRules {
  return caseInsensitive ? INSENSITIVE : SENSITIVE;
}

/**
 * The rules a plan (or snapshot) was made with: its `caseInsensitive`. A plan saved before
 * plans recorded it has none, and is read with this host's rule, as every plan was then.
 */
export function pathRulesOf(made: { readonly caseInsensitive?: boolean | undefined }): PathRules {
  const own = made.caseInsensitive;
  return pathRulesFor(own === undefined ? hostCaseInsensitive() : own === true);
}

function trimSep(path: string): string {
  return path.length > 1 && path.endsWith(sep) && !/^[A-Za-z]:\\$/.test(path) ? path.slice(0, -1) : path;
}
