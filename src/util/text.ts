import { relative, sep } from 'node:path';

/**
 * A path for people: `~/...` under the home folder, else the path as given.
 *
 * @example
 * tildePath('/home/u', '/home/u/.claude') // '~/.claude'
 */
export function tildePath(home: string, path: string): string {
  const rel = relative(home, path);
  if (rel === '') return '~';
  if (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel)) return `~${sep}${rel}`;
  return path;
}

/** `1 file`, `2 files`; the plural form when adding `s` is wrong. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
