import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverAccounts } from '../../src/accounts/discover.js';
import { createSandbox, type Sandbox } from '../../src/demo/sandbox.js';
import { generateTranscript, transcriptEndMs } from '../../src/demo/transcript.js';
import type { FileSystem } from '../../src/fs/types.js';
import { encodeProjectDir } from '../../src/layout/names.js';
import { FIXTURE_ACCOUNTS, FIXTURE_DIR } from '../support/fixture.js';
import { createHarness, type Harness, KINDS } from '../support/harness.js';

type Line = Record<string, unknown>;
const UUID_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;

/** For each line type of the fixture: keys on every line of it, and keys on any. */
function fixtureKeys(): Map<string, { all: Set<string>; any: Set<string> }> {
  const out = new Map<string, { all: Set<string>; any: Set<string> }>();
  for (const account of FIXTURE_ACCOUNTS) {
    const projects = join(FIXTURE_DIR, account, 'projects');
    for (const folder of readdirSync(projects)) {
      for (const name of readdirSync(join(projects, folder))) {
        if (!UUID_FILE.test(name)) continue;
        for (const text of readFileSync(join(projects, folder, name), 'utf8').split('\n')) {
          if (!text) continue;
          const line = JSON.parse(text) as Line;
          const keys = Object.keys(line);
          const entry = out.get(String(line.type));
          if (!entry) out.set(String(line.type), { all: new Set(keys), any: new Set(keys) });
          else {
            for (const k of entry.all) if (!keys.includes(k)) entry.all.delete(k);
            for (const k of keys) entry.any.add(k);
          }
        }
      }
    }
  }
  return out;
}

/** The envelope fields claude-code-storage.md names for message lines. */
const ENVELOPE = [
  'type',
  'uuid',
  'parentUuid',
  'sessionId',
  'cwd',
  'gitBranch',
  'version',
  'timestamp',
  'isSidechain',
  'userType',
  'entrypoint',
  'message',
];

interface Transcript {
  account: string;
  folder: string;
  id: string;
  path: string;
  bytes: Uint8Array;
  mtimeMs: number;
}

/** Every `<account>/projects/<folder>/<uuid>.jsonl`, read with the filesystem's raw API. */
async function transcripts(h: Harness, sandbox: Sandbox): Promise<Transcript[]> {
  const out: Transcript[] = [];
  for (const account of sandbox.accounts) {
    const projects = join(account, 'projects');
    for (const folder of await h.api.readdir(projects, { withFileTypes: true })) {
      const dir = join(projects, String(folder.name));
      for (const entry of await h.api.readdir(dir, { withFileTypes: true })) {
        const m = UUID_FILE.exec(String(entry.name));
        if (!m || !entry.isFile()) continue;
        const path = join(dir, String(entry.name));
        const data = await h.api.readFile(path);
        out.push({
          account,
          folder: String(folder.name),
          id: m[1] as string,
          path,
          bytes: typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data),
          mtimeMs: Math.round(Number((await h.api.lstat(path)).mtimeMs)),
        });
      }
    }
  }
  return out;
}

const isPrefix = (short: Uint8Array, long: Uint8Array) =>
  short.length <= long.length && short.every((b, i) => long[i] === b);

describe.each(KINDS)('createSandbox on %s', (kind) => {
  let h: Harness;
  let fs: FileSystem;
  let sandbox: Sandbox;
  let all: Transcript[];

  beforeEach(async () => {
    h = await createHarness(kind);
    fs = h.fs;
    sandbox = await createSandbox({ fs, root: h.root });
    all = await transcripts(h, sandbox);
  });
  afterEach(async () => {
    await h.cleanup();
  });

  // Defined only on the real disk: memfs keeps whole milliseconds.
  if (kind === 'node') {
    it('gives transcripts sub-millisecond mtimes that read as their last line', async () => {
      const subMs = new Set<number>();
      for (const t of all) {
        const st = await h.api.lstat(t.path, { bigint: true });
        const ns = st.mtimeNs ?? 0n;
        const end = BigInt(transcriptEndMs(new TextDecoder().decode(t.bytes)));
        expect(ns / 1_000_000n, t.path).toBe(end);
        expect(Math.round(Number((await h.api.lstat(t.path)).mtimeMs)), t.path).toBe(Number(end));
        subMs.add(Number(ns % 1_000_000n));
      }
      expect(subMs.has(499_000)).toBe(true);
      expect(subMs.size).toBeGreaterThan(all.length / 2);
    });
  }

  it('builds three accounts that discoverAccounts finds, with their settings', async () => {
    expect(sandbox.home).toBe(join(h.root, 'home'));
    expect(sandbox.accounts).toEqual(['.claude', '.claude-2', '.claude-work'].map((n) => join(sandbox.home, n)));
    expect(sandbox.sharedDir).toBe(join(sandbox.home, '.claude-shared', 'projects'));
    const accounts = await discoverAccounts({ fs, home: sandbox.home, env: {}, isProcessAlive: () => false });
    expect(accounts.map((a) => [a.label, a.source, a.projects.kind, a.cleanupPeriodDays, a.problems])).toEqual([
      ['.claude', 'default', 'directory', 30, []],
      ['.claude-2', 'sibling', 'directory', 14, []],
      ['.claude-work', 'sibling', 'directory', 90, []],
    ]);
    // Four sessions of its own in each account, plus two of the three planted ones.
    const perAccount = sandbox.accounts.map((a) => all.filter((t) => t.account === a));
    expect(perAccount.map((ts) => ts.length)).toEqual([6, 6, 6]);
    expect(accounts.map((a) => a.sessions)).toEqual([6, 6, 6]);
    expect(accounts.map((a) => a.sessionBytes)).toEqual(
      perAccount.map((ts) => ts.reduce((n, t) => n + t.bytes.length, 0)),
    );
  });

  it('plants one identical, one prefix and one diverged session, byte for byte', () => {
    const copies = (id: string) => all.filter((t) => t.id === id);
    const [a, b, c] = sandbox.accounts;
    const identical = copies(sandbox.planted.identical);
    expect(identical.map((t) => t.account)).toEqual([a, b]);
    expect(Buffer.from(identical[0]?.bytes ?? []).equals(Buffer.from(identical[1]?.bytes ?? []))).toBe(true);
    expect(identical[0]?.mtimeMs).toBe(identical[1]?.mtimeMs);

    const prefix = copies(sandbox.planted.prefix);
    expect(prefix.map((t) => t.account)).toEqual([a, c]);
    const [short, long] = prefix as [Transcript, Transcript];
    expect(long.bytes.length).toBeGreaterThan(short.bytes.length);
    expect(isPrefix(short.bytes, long.bytes)).toBe(true);
    expect(long.mtimeMs).toBeGreaterThan(short.mtimeMs);

    const diverged = copies(sandbox.planted.diverged);
    expect(diverged.map((t) => t.account)).toEqual([b, c]);
    const [x, y] = diverged as [Transcript, Transcript];
    expect(isPrefix(x.bytes, y.bytes) || isPrefix(y.bytes, x.bytes)).toBe(false);
    let common = 0;
    while (common < x.bytes.length && x.bytes[common] === y.bytes[common]) common++;
    // They share whole lines of history, then differ.
    expect(common).toBeGreaterThan(1000);
    const shared = new TextDecoder().decode(x.bytes.subarray(0, common));
    expect(shared.lastIndexOf('\n')).toBeGreaterThan(0);
    expect(new Set([sandbox.planted.identical, sandbox.planted.prefix, sandbox.planted.diverged]).size).toBe(3);
    // No other session appears in two accounts.
    const ids = all.map((t) => t.id);
    const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))].sort();
    expect(repeated).toEqual(Object.values(sandbox.planted).sort());
  });

  it('writes transcripts that parse as JSONL with the fields the fixture shows', () => {
    const keys = fixtureKeys();
    for (const t of all) {
      const text = new TextDecoder().decode(t.bytes);
      expect(text.endsWith('\n'), t.path).toBe(true);
      const lines = text
        .slice(0, -1)
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      for (const line of lines) {
        const type = String(line.type);
        const known = keys.get(type);
        expect(known, `line type ${type} is one the fixture shows`).toBeDefined();
        if (!known) continue;
        for (const key of Object.keys(line)) expect(known.any.has(key), `${type}.${key} is in the fixture`).toBe(true);
        const required = ['user', 'assistant', 'attachment'].includes(type)
          ? [...known.all].filter((k) => ENVELOPE.includes(k))
          : [...known.all];
        for (const key of required) expect(line, `${type} lacks ${key}`).toHaveProperty(key);
        expect(line.sessionId).toBe(t.id);
        if (typeof line.timestamp === 'string') {
          expect(new Date(line.timestamp).toISOString()).toBe(line.timestamp);
        }
        if (type === 'user') expect(line.message).toMatchObject({ role: 'user', content: expect.any(String) });
        if (type === 'assistant') {
          expect(line.message).toMatchObject({
            role: 'assistant',
            content: [{ type: 'text', text: expect.any(String) }],
          });
        }
      }
      const first = lines.find((l) => typeof l.cwd === 'string');
      expect(encodeProjectDir(String(first?.cwd)).name, `${t.path}: its cwd encodes to its folder`).toBe(t.folder);
      expect(lines.filter((l) => typeof l.cwd === 'string' && l.cwd !== first?.cwd)).toEqual([]);
      expect(t.mtimeMs).toBe(transcriptEndMs(text));
      const maxTimestamp = Math.max(
        ...lines.map((l) => (typeof l.timestamp === 'string' ? Date.parse(l.timestamp) : 0)),
      );
      expect(t.mtimeMs).toBe(maxTimestamp);
    }
  });

  it('keeps each conversation one tree: unique uuids, parents seen before, one root, leafs that exist', () => {
    for (const t of all) {
      const lines = new TextDecoder()
        .decode(t.bytes)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      const seen = new Set<string>();
      let roots = 0;
      for (const line of lines) {
        if (typeof line.uuid !== 'string') continue;
        expect(seen.has(line.uuid), `${t.path}: duplicate uuid ${line.uuid}`).toBe(false);
        if (line.parentUuid === null) roots++;
        else expect(seen.has(String(line.parentUuid)), `${t.path}: parent of ${line.uuid} comes before it`).toBe(true);
        seen.add(line.uuid);
      }
      // A resumed or copied-and-continued session goes on from the earlier leaf.
      expect(roots, `${t.path}: one conversation root`).toBe(1);
      for (const line of lines.filter((l) => l.type === 'last-prompt')) {
        expect(seen.has(String(line.leafUuid))).toBe(true);
      }
    }
  });

  it('creates files 0600 and folders 0700, as Claude Code does', async () => {
    for (const t of all) expect((await fs.lstat(t.path)).mode).toBe(0o600);
    for (const account of sandbox.accounts) {
      expect((await fs.lstat(join(account, 'projects'))).mode).toBe(0o700);
      expect((await fs.lstat(join(account, 'settings.json'))).mode).toBe(0o600);
    }
  });
});

describe('generateTranscript', () => {
  const base = {
    sessionId: '11111111-2222-4333-8444-555555555555',
    cwd: '/home/dev/p',
    prompts: ['first', 'second'],
    startMs: Date.UTC(2026, 10, 1),
  };

  it('is deterministic for a seed, and the seed changes the ids', () => {
    expect(generateTranscript(base)).toBe(generateTranscript(base));
    const uuids = (text: string) => [...text.matchAll(/"uuid":"([^"]+)"/g)].map((m) => m[1]);
    const a = uuids(generateTranscript({ ...base, seed: 1 }));
    const b = uuids(generateTranscript({ ...base, seed: 2 }));
    expect(a).toHaveLength(6);
    expect(a.filter((u) => b.includes(u))).toEqual([]);
  });

  it('ends with the title and tag lines re-appended, and the last prompt', () => {
    const lines = generateTranscript({ ...base, customTitle: 'Named', tag: 'wip', aiTitle: 'AI' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    expect(lines.slice(0, 2).map((l) => l.type)).toEqual(['custom-title', 'agent-name']);
    expect(lines.slice(-4).map((l) => l.type)).toEqual(['last-prompt', 'custom-title', 'agent-name', 'tag']);
    expect(lines.at(-4)).toMatchObject({ lastPrompt: 'second' });
    expect(lines.filter((l) => l.type === 'ai-title')).toHaveLength(1);
  });

  it('continues a conversation from a given parent uuid', () => {
    const first = generateTranscript({ ...base, prompts: ['first'], seed: 1 });
    const leaf = (JSON.parse(first.trim().split('\n').at(-1) as string) as Line).leafUuid as string;
    const more = generateTranscript({ ...base, prompts: ['again'], seed: 2, parentUuid: leaf });
    const user = more
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line)
      .find((l) => l.type === 'user');
    expect(user?.parentUuid).toBe(leaf);
  });
});
