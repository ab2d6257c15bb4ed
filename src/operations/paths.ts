/**
 * Path arithmetic of the executor that does not depend on how paths compare (that is the
 * plan's `PathRules`, `layout/paths.ts`).
 */
import { basename, dirname, join, sep } from 'node:path';

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
