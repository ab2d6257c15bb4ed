import { describe, expect, it } from 'vitest';
import { fixtureMtimes, fixtureOnMemfs } from './helpers/fixture.js';
import { join } from 'node:path';

describe('fixture on memfs', () => {
  it('restores every mtime exactly', async () => {
    const { fs, root } = await fixtureOnMemfs();
    for (const [rel, ms] of Object.entries(fixtureMtimes())) {
      expect((await fs.lstat(join(root, rel))).mtimeMs).toBe(ms);
    }
  });
});
