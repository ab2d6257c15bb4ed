import { basename, dirname, join, sep } from 'node:path';

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';

/**
 * A key for comparing two paths on this host. Plan paths are absolute and in normal form
 * (validatePlan checks it), so no normalisation is needed: the executor calls this
 * hundreds of thousands of times on a large plan.
 */
export function pathKey(path: string): string {
  return CASE_INSENSITIVE ? path.toLowerCase() : path;
}

/** True when `path` is `root` itself or lies under it (both absolute and normal). */
export function isInside(root: string, path: string): boolean {
  const r = pathKey(root);
  const p = pathKey(path);
  if (p === r) return true;
  const prefix = r.endsWith(sep) ? r : r + sep;
  return p.startsWith(prefix);
}

/** A temporary name in the same folder as `path`, unique to one apply run and operation. */
export function tempPathFor(path: string, run: string, opId: string): string {
  // Keep names well under 255 bytes whatever the target's name is.
  const name = basename(path).slice(0, 80);
  return join(dirname(path), `.${name}.${run}.${opId.slice(0, 40)}.css-tmp`);
}

/** The folders above `path`, nearest first, up to the filesystem root. */
export function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  let current = path;
  for (;;) {
    const at = current.lastIndexOf(sep);
    // Down to the root, which dirname keeps with its separator (`/`, `C:\\`).
    const parent =
      at <= 0 || (sep === '\\' && at === 2 && current[1] === ':') ? dirname(current) : current.slice(0, at);
    if (parent === current) return result;
    result.push(parent);
    current = parent;
  }
}

/** Maps `path` under `from` to the same place under `to` (for things moved by a rename). */
export function rebase(path: string, from: string, to: string): string {
  if (pathKey(path) === pathKey(from)) return to;
  const rest = path.slice(from.endsWith(sep) ? from.length : from.length + 1);
  return join(to, rest);
}
