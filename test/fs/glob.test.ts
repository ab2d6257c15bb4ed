import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globAdapter, globNames } from '../../src/fs/glob.js';
import type { FileSystem } from '../../src/fs/types.js';
import { createHarness, denyFs, type Harness, KINDS } from './support.js';

describe.each(KINDS)('globNames on %s', (kind) => {
  let h: Harness;
  let fs: FileSystem;
  let home: string;

  beforeEach(async () => {
    h = await createHarness(kind);
    fs = h.fs;
    // Glob-special characters in the folder itself must not be read as a pattern.
    home = join(h.root, 'home [x] (y) *');
    await fs.mkdir(join(home, '.claude', 'projects'), { recursive: true });
    await fs.mkdir(join(home, '.claude-2', '.claude-nested'), { recursive: true });
    await fs.mkdir(join(home, '.claude-work'));
    await fs.writeFile(join(home, '.claude-file'), '');
    await fs.writeFile(join(home, '.claude.json'), '{}');
    await fs.symlink(join(home, '.claude-2'), join(home, '.claude-link'));
    await fs.symlink(join(home, 'nowhere'), join(home, '.claude-dangling'));
    await fs.mkdir(join(home, 'claude-3'));
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('lists the dot entries directly in the folder that match, of every type, sorted', async () => {
    expect(await globNames(fs, home, '.claude-*')).toEqual([
      '.claude-2',
      '.claude-dangling',
      '.claude-file',
      '.claude-link',
      '.claude-work',
    ]);
  });

  it('takes other patterns: character classes, braces, a plain name', async () => {
    expect(await globNames(fs, home, '.claude-[0-9]')).toEqual(['.claude-2']);
    expect(await globNames(fs, home, '{.claude,claude-3}')).toEqual(['.claude', 'claude-3']);
    expect(await globNames(fs, home, '.claude-work')).toEqual(['.claude-work']);
    expect(await globNames(fs, home, '.claude-missing')).toEqual([]);
  });

  it('does not descend, not even through a link', async () => {
    const all = await globNames(fs, home, '**');
    expect(all).not.toContain('.claude-2/.claude-nested');
    expect(all.every((n) => !n.includes('/'))).toBe(true);
  });

  it('answers [] for a missing or unreadable folder', async () => {
    expect(await globNames(fs, join(home, 'missing'), '*')).toEqual([]);
    expect(await globNames(denyFs(fs, [home]), home, '.claude-*')).toEqual([]);
  });
});

describe('globAdapter', () => {
  it('refuses synchronous calls with a clear error', async () => {
    const h = await createHarness('memfs');
    const adapter = globAdapter(h.fs) as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const name of ['lstatSync', 'statSync', 'readdirSync']) {
      expect(() => adapter[name]?.('/')).toThrow(/synchronous fs calls are not supported/);
    }
  });

  it('passes errors through to the callback with their code', async () => {
    const h = await createHarness('memfs');
    const adapter = globAdapter(h.fs) as unknown as {
      lstat: (path: string, cb: (error: NodeJS.ErrnoException | null, value?: unknown) => void) => void;
    };
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      adapter.lstat(join(h.root, 'missing'), (e) => resolve(e)),
    );
    expect(error?.code).toBe('ENOENT');
  });
});
