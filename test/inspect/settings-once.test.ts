/**
 * `inspect()` reads each account's `settings.json` once: discovery reads it for
 * `cleanupPeriodDays`, and the snapshot's `settings` (text, hash, size, type) comes from
 * that same read instead of a second one.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';
import { inspect } from '../../src/inspect/inspect.js';
import { hookFs, KEEP_ALL } from '../support/faulty-fs.js';

const HOME = '/h';

/** A filesystem that counts readFile calls per path. */
function counting(fs: FileSystem): { fs: FileSystem; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const counted = hookFs(fs, {
    keep: KEEP_ALL,
    before: (c) => {
      if (c.call === 'readFile') reads.set(c.path, (reads.get(c.path) ?? 0) + 1);
    },
  });
  return { fs: counted, reads };
}

describe('settings.json during inspect', () => {
  it('is read once per account, and the snapshot has its text, hash and period', async () => {
    const fs = createMemFileSystem(new Volume());
    const text = '{\n  "cleanupPeriodDays": 7,\n  "model": "x"\n}\n';
    const plain = join(HOME, '.claude');
    const linked = join(HOME, '.claude-2');
    const broken = join(HOME, '.claude-3');
    for (const a of [plain, linked, broken]) await fs.mkdir(join(a, 'projects'), { recursive: true });
    await fs.writeFile(join(plain, 'settings.json'), text);
    await fs.writeFile(join(HOME, 'dotfiles-settings.json'), '{"cleanupPeriodDays": 90}');
    await fs.symlink(join(HOME, 'dotfiles-settings.json'), join(linked, 'settings.json'));
    await fs.writeFile(join(broken, 'settings.json'), '{ not json');
    const c = counting(fs);
    const snap = await inspect({ fs: c.fs, home: HOME, accounts: [plain, linked, broken], cwd: HOME });
    const [p, l, b] = snap.accounts;

    expect(c.reads.get(join(plain, 'settings.json'))).toBe(1);
    expect(p?.settings).toMatchObject({
      type: 'file',
      text,
      size: Buffer.byteLength(text),
      hash: createHash('sha256').update(text).digest('hex'),
      cleanupPeriodDays: 7,
      cleanupPeriodDaysSet: true,
      malformed: false,
    });
    // A link (a dotfile manager's): followed for the period, recorded as a link, never rewritten.
    expect(c.reads.get(join(linked, 'settings.json')) ?? 0).toBeLessThanOrEqual(1);
    expect(l?.settings).toMatchObject({ type: 'symlink', cleanupPeriodDays: 90, cleanupPeriodDaysSet: true });
    expect(l?.settings.text).toBeUndefined();
    expect(c.reads.get(join(broken, 'settings.json'))).toBe(1);
    expect(b?.settings).toMatchObject({ type: 'file', text: '{ not json', malformed: true, cleanupPeriodDays: 30 });
  });
});
