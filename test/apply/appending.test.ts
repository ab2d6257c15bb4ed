/**
 * A transcript that a real process appends to while the apply runs loses nothing: a
 * child process appends a line every 3 ms to a session of account one (as Claude Code
 * does: open, append, close) during a real-disk share. Lines written after the session
 * was copied are carried to the copy when the account's folder is moved into its backup;
 * lines written after the link exists land in the shared copy through the link.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, undoOutcomeOf } from '../../src/apply/index.js';
import type { FileSystem } from '../../src/fs/types.js';
import { faultyFs } from '../support/faulty-fs.js';
import { createHarness, type Harness } from '../support/harness.js';
import { contents, lostFiles, snapshot } from '../support/tree.js';
import { buildWorld, sharePlan, type World } from './support/world.js';

const APPENDER = `
const { appendFileSync } = require('node:fs');
const path = process.argv[2];
let seq = 0;
const timer = setInterval(() => {
  try {
    appendFileSync(path, JSON.stringify({ type: 'user', appendedBy: 'child', seq }) + '\\n');
    seq++;
    process.stdout.write(seq + '\\n');
  } catch (error) {
    // The folder is being moved: Claude Code would fail this write; the next one retries.
    if (error.code !== 'ENOENT') throw error;
  }
}, 3);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.stdout.write('total ' + seq + '\\n');
  process.exit(0);
});
`;

class Appender {
  readonly process: ChildProcess;
  written = 0;
  total: number | undefined;
  readonly #exited: Promise<void>;

  constructor(script: string, path: string) {
    this.process = spawn(process.execPath, [script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    this.process.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const total = /^total (\d+)$/.exec(line);
        if (total) this.total = Number(total[1]);
        else if (/^\d+$/.test(line)) this.written = Number(line);
      }
    });
    this.#exited = new Promise((resolve) => this.process.on('exit', () => resolve()));
  }

  /** Resolves once the child has written `n` more lines than now. */
  async more(n: number): Promise<void> {
    const target = this.written + n;
    while (this.written < target) await new Promise((r) => setTimeout(r, 2));
  }

  async stop(): Promise<number> {
    this.process.kill('SIGTERM');
    await this.#exited;
    return this.total ?? this.written;
  }
}

describe('a process appending to a transcript during a real-disk apply', () => {
  let env: Harness;
  let fs: FileSystem;
  let world: World;
  let scriptDir: string;
  let script: string;
  beforeEach(async () => {
    env = await createHarness('node');
    fs = env.fs;
    world = await buildWorld(fs, env.root);
    scriptDir = mkdtempSync(join(tmpdir(), 'css-appender-'));
    script = join(scriptDir, 'appender.cjs');
    writeFileSync(script, APPENDER);
  });
  afterEach(async () => {
    await env.cleanup();
    rmSync(scriptDir, { recursive: true, force: true });
  });

  it('loses no line: lines after the copy are carried, lines after the link go through it', async () => {
    const [one] = world.accounts;
    const session = join(one, 'projects', '-p1', `${world.ids.b}.jsonl`);
    const original = Buffer.from(await fs.readFile(session));
    const before = await snapshot(fs, env.root);
    const plan = await sharePlan(fs, world);
    // Appending between planning and applying makes the plan stale (refused, nothing
    // lost, see contract.test.ts); here the child starts at the apply's first write.
    let appender: Appender | undefined;
    let copiedAt = -1;
    const paced = faultyFs(fs, {
      before: async (index, c) => {
        if (index === 1) {
          appender = new Appender(script, session);
          await appender.more(3);
        }
        if (!appender) return;
        if (c.call === 'copyFile' && c.dest?.includes(world.ids.b)) copiedAt = appender.written;
        // Make sure lines land between the copy and the move into the backup.
        if (c.call === 'rename' && c.path === join(one, 'projects')) await appender.more(3);
      },
    });
    let report: Awaited<ReturnType<typeof applyPlan>> | undefined;
    let failure: unknown;
    try {
      report = await applyPlan(plan, { fs: paced, concurrency: 1 });
    } catch (error) {
      failure = error;
    }
    if (!appender) throw new Error('the apply wrote nothing');
    // Lines keep coming, through the link now.
    await appender.more(5);
    const total = await appender.stop();
    expect(copiedAt).toBeGreaterThan(0);

    const expected = Buffer.concat([
      original,
      ...Array.from({ length: total }, (_, seq) =>
        Buffer.from(`${JSON.stringify({ type: 'user', appendedBy: 'child', seq })}\n`),
      ),
    ]);
    const now = await snapshot(fs, env.root);
    expect(lostFiles(contents(before), now)).toEqual([]);
    if (report) {
      expect(report.bytesResynced).toBeGreaterThan(0);
      // The account sees one transcript holding every line, in order.
      expect(Buffer.from(await fs.readFile(session)).equals(expected)).toBe(true);
      expect(await fs.readlink(join(one, 'projects'))).toBe(world.sharedDir);
    } else {
      // A line written through a handle opened just before the move can race the
      // re-sync; the apply then refuses and undoes, and every line is still on disk.
      expect(undoOutcomeOf(failure)?.complete).toBe(true);
      const all = [...contents(now).values()].map((b) => b.toString()).join('');
      for (let seq = 0; seq < total; seq++) expect(all).toContain(`"seq":${seq}}`);
    }
  }, 30_000);
});
