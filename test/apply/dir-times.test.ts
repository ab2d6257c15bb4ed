/**
 * Folder times put back by an undo or recover() (restoreDirTimes) on the real disk, where
 * folders have nanosecond times and utimes sets only microseconds.
 */
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DirTimes, dirTimesOf } from '../../src/apply/preflight.js';
import { restoreDirTimes } from '../../src/apply/state-dir.js';
import { createRng } from '../../src/demo/transcript.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { recordingFs } from '../support/faulty-fs.js';
import { setFolderNsTimes } from '../support/ns-times.js';

const NS_PER_MS = 1_000_000n;

describe('restoreDirTimes on the real disk', () => {
  it('puts 400 touched folders back to the same ms for every reader, within 1 µs; leaves the others alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'css-dir-times-'));
    try {
      const fs = createNodeFileSystem();
      const rng = createRng(20261203);
      const folders: { path: string; mtimeNs: bigint }[] = [];
      for (let i = 0; i < 400; i++) {
        const ms = 1_700_000_000_000n + BigInt(Math.floor(rng() * 200_000_000_000));
        // Half within 130 ns below a half ms (Node reads the next ms), half anywhere.
        const sub =
          i % 2 === 0 ? NS_PER_MS / 2n - 1n - BigInt(Math.floor(rng() * 130)) : BigInt(Math.floor(rng() * 1e6));
        const path = `d${i}`;
        mkdirSync(join(root, path));
        folders.push({ path, mtimeNs: ms * NS_PER_MS + sub });
      }
      setFolderNsTimes(root, folders);
      const times: Record<string, DirTimes> = {};
      const nodeMs = new Map<string, number>();
      let roundsUp = 0;
      for (const f of folders) {
        const path = join(root, f.path);
        expect(statSync(path, { bigint: true }).mtimeNs).toBe(f.mtimeNs);
        times[path] = dirTimesOf(await fs.lstat(path));
        nodeMs.set(path, statSync(path).mtime.getTime());
        if (nodeMs.get(path) !== Number((f.mtimeNs + NS_PER_MS / 2n) / NS_PER_MS)) roundsUp++;
      }
      // The case that matters is there: Node reads the next ms for many of them.
      expect(roundsUp).toBeGreaterThan(50);
      // An apply touches three folders in four.
      const touched = folders.filter((_, i) => i % 4 !== 3);
      for (const f of touched) {
        mkdirSync(join(root, f.path, 'x'));
        rmdirSync(join(root, f.path, 'x'));
      }
      const recording = recordingFs(fs);
      expect(await restoreDirTimes(recording, times)).toEqual([]);
      const set = recording.calls.filter((c) => c.call === 'utimes').map((c) => c.path);
      expect(set.sort()).toEqual(touched.map((f) => join(root, f.path)).sort());
      for (const f of folders) {
        const path = join(root, f.path);
        const ns = statSync(path, { bigint: true }).mtimeNs;
        expect(statSync(path).mtime.getTime(), f.path).toBe(nodeMs.get(path));
        expect((await fs.lstat(path)).mtimeMs, f.path).toBe(times[path]?.mtimeMs);
        expect(ns / NS_PER_MS, f.path).toBe(f.mtimeNs / NS_PER_MS);
        expect(ns > f.mtimeNs ? ns - f.mtimeNs : f.mtimeNs - ns, f.path).toBeLessThan(1000n);
      }
      // Again (recover after an undo that did it): nothing left to set.
      const again = recordingFs(fs);
      expect(await restoreDirTimes(again, times)).toEqual([]);
      expect(again.calls.filter((c) => c.call === 'utimes')).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
