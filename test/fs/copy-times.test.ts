import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume } from 'memfs';
import { describe, expect, it } from 'vitest';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../src/fs/node.js';

describe('copyTimes', () => {
  it('gives the destination the source`s times to the microsecond on the real disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'css-copytimes-'));
    try {
      const [a, b] = [join(dir, 'a'), join(dir, 'b')];
      writeFileSync(a, 'a');
      writeFileSync(b, 'b');
      // 123.7654 ms: rounds up to 124, floors to 123; a whole-ms copy cannot agree both ways.
      utimesSync(a, 1_795_000_000 + 0.1237654, 1_795_000_000 + 0.1237654);
      await createNodeFileSystem().copyTimes?.(a, b);
      const [sa, sb] = [statSync(a, { bigint: true }), statSync(b, { bigint: true })];
      expect(sb.mtimeNs / 1000n).toBe(sa.mtimeNs / 1000n);
      expect(Math.floor(Number(sb.mtimeMs))).toBe(Math.floor(Number(sa.mtimeMs)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies whole milliseconds on memfs', async () => {
    const fs = createMemFileSystem(Volume.fromJSON({ '/a': 'a', '/b': 'b' }));
    await fs.utimes('/a', 1000, 1_795_000_000_123);
    await fs.copyTimes?.('/a', '/b');
    expect((await fs.lstat('/b')).mtimeMs).toBe(1_795_000_000_123);
  });
});
