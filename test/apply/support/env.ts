import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { createMemFileSystem } from '../../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../../src/fs/node.js';
import type { FileSystem } from '../../../src/fs/types.js';

export type EnvKind = 'memfs' | 'disk';
export const ENV_KINDS: readonly EnvKind[] = ['memfs', 'disk'];

/** A filesystem and an empty folder on it to build a world in. */
export interface Env {
  kind: EnvKind;
  fs: FileSystem;
  root: string;
  cleanup: () => void;
}

export async function makeEnv(kind: EnvKind): Promise<Env> {
  if (kind === 'memfs') {
    const fs = createMemFileSystem(new Volume());
    await fs.mkdir('/sandbox', { recursive: true });
    return { kind, fs, root: '/sandbox', cleanup: () => {} };
  }
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'css-apply-')));
  return { kind, fs: createNodeFileSystem(), root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * memfs asks the process for its uid and gid on every permission check, which costs
 * more than the rest of a memfs call; the sweeps make hundreds of thousands of calls.
 * Answer from a cache (they do not change during a test).
 */
export function cacheProcessIds(): void {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid !== undefined) process.getuid = () => uid;
  if (gid !== undefined) process.getgid = () => gid;
}
