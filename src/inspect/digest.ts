/**
 * A short digest of a folder's whole tree as `lstat` sees it, so that a plan can say
 * "this folder, exactly as it was" and the executor can tell when a session was added,
 * removed or written to since (a backup rename would otherwise carry a new session away
 * from every account's view).
 */
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
  const lines = entries.map((e) => {
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
  });
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(lines.join('\n'));
}
