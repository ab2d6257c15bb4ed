/**
 * A short digest of a folder's whole tree as `lstat` sees it, so that a plan can say
 * "this folder, exactly as it was" and the executor can tell when a session was added,
 * removed or written to since (a backup rename would otherwise carry a new session away
 * from every account's view).
 */
import { createHash } from 'node:crypto';
import { sha256Hex } from './hash.js';
import type { TreeEntry } from './types.js';

/**
 * SHA-256 over every entry's relative path and type, with size and mtime for files and the
 * text of links. Folders count by name only (their mtimes move with every entry added or
 * removed, which the entries themselves already show). Order-independent.
 *
 * @example
 * treeDigest(snapshot.accounts[0].folders.projects.entries) // 'c0ffee…'
 */
export function treeDigest(
  entries: readonly Pick<TreeEntry, 'path' | 'type' | 'size' | 'mtimeMs' | 'linkText'>[],
): string {
  if (!inLineOrder(entries)) {
    const lines = entries.map(lineOf);
    lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return sha256Hex(lines.join('\n'));
  }
  // Entries in path order (a snapshot's are) are in line order already: hashed as the
  // lines are made, 64 K characters at a time, with no array of lines and no sort.
  const hash = createHash('sha256');
  let text = '';
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) text += '\n';
    text += lineOf(entries[i] as (typeof entries)[number]);
    if (text.length >= 1 << 16) {
      hash.update(text);
      text = '';
    }
  }
  return hash.update(text).digest('hex');
}

function lineOf(e: Pick<TreeEntry, 'path' | 'type' | 'size' | 'mtimeMs' | 'linkText'>): string {
  switch (e.type) {
    case 'file':
      return `${e.path}\0f\0${e.size}\0${e.mtimeMs}`;
    case 'symlink':
      return `${e.path}\0l\0${e.linkText ?? ''}`;
    case 'directory':
      return `${e.path}\0d`;
    default:
      return `${e.path}\0o`;
  }
}

/**
 * Whether the entries' lines are sorted as they come: paths strictly increasing and free
 * of NUL. Then a line (`path NUL ...`) sorts as its path does: where two paths first
 * differ their lines do too, and a path that is a prefix of another has its NUL where the
 * longer path has a greater character.
 */
function inLineOrder(entries: readonly Pick<TreeEntry, 'path'>[]): boolean {
  for (let i = 0; i < entries.length; i++) {
    const path = (entries[i] as Pick<TreeEntry, 'path'>).path;
    if (path.includes('\0')) return false;
    if (i > 0 && !((entries[i - 1] as Pick<TreeEntry, 'path'>).path < path)) return false;
  }
  return true;
}
