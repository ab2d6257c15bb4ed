/**
 * Pure path helpers shared by the planners and by {@link validatePlan}. No filesystem:
 * only `node:path` string arithmetic on the host's path flavour.
 */
import { isAbsolute, normalize, relative, sep } from 'node:path';

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';

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

function comparable(path: string): string {
  return CASE_INSENSITIVE ? path.toLowerCase() : path;
}

/** True when `path` is `root` itself or lies under it (both absolute and normal). */
export function isInside(root: string, path: string): boolean {
  // A string prefix on normal forms: path.relative resolves both sides on every call,
  // which made validating a 20,000-operation plan take over a second.
  const r = trimSep(comparable(normalized(root)));
  const p = trimSep(comparable(normalized(path)));
  if (p === r) return true;
  return p.startsWith(r.endsWith(sep) ? r : r + sep);
}

function trimSep(path: string): string {
  return path.length > 1 && path.endsWith(sep) && !/^[A-Za-z]:\\$/.test(path) ? path.slice(0, -1) : path;
}

/** `path` relative to `root`, split into segments; undefined when it is not inside. */
export function segmentsUnder(root: string, path: string): string[] | undefined {
  if (!isInside(root, path)) return undefined;
  const rel = relative(root, path);
  return rel === '' ? [] : rel.split(sep);
}

/** A key for comparing one path segment (a name) with another on this host. */
export function nameKey(name: string): string {
  return comparable(name);
}

/** A key for comparing two paths for equality on this host. */
export function pathKey(path: string): string {
  return comparable(normalized(path));
}
