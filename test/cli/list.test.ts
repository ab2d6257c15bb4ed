import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, json, makeSandbox, type TestSandbox } from './support.js';

interface Row {
  sessionId: string;
  summary: string;
  lastModified: number;
  fileSize: number;
  cwd?: string;
  accounts: string[];
  copies?: { relation: string; accounts: string[] }[];
}

const SDK_ORDER = ['sessionId', 'summary', 'lastModified', 'fileSize'];

describe('list', () => {
  let sb: TestSandbox;
  let all: Row[];
  beforeAll(async () => {
    sb = await makeSandbox(2);
    all = json<Row[]>(cli(['list', '--all', '--json', ...sb.args]));
  });
  afterAll(() => sb.cleanup());

  it('--all --json: one row per session, newest first, with the SDK field names first', () => {
    // 2 sessions of each of 3 accounts, plus 3 planted in several accounts.
    expect(all).toHaveLength(9);
    expect(new Set(all.map((r) => r.sessionId)).size).toBe(9);
    const times = all.map((r) => r.lastModified);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const row of all) {
      expect(Object.keys(row).slice(0, 4)).toEqual(SDK_ORDER);
      expect(typeof row.summary).toBe('string');
      expect(row.fileSize).toBeGreaterThan(0);
      expect(row.accounts.length).toBeGreaterThan(0);
    }
  });

  it('marks the copies of planted sessions: identical, prefix and diverged', () => {
    const byId = new Map(all.map((r) => [r.sessionId, r]));
    const relations = (id: string) => (byId.get(id)?.copies ?? []).map((c) => c.relation);
    expect(relations(sb.planted.identical)).toEqual(['identical']);
    expect(relations(sb.planted.prefix)).toEqual(['prefix']);
    expect(relations(sb.planted.diverged)).toEqual(['diverged']);
    const human = cli(['list', '--all', '--no-color', ...sb.args]).stdout;
    const line = human.split('\n').find((l) => l.includes(sb.planted.diverged.slice(0, 8)));
    expect(line).toMatch(/^≠ /);
    expect(human).toMatch(/≠ diverged copies of this session exist/);
  });

  it('human output: title, age, branch, size, accounts, project, id', () => {
    const r = cli(['list', '--all', '--no-color', ...sb.args]);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('≠ diverged'));
    expect(header).toMatch(/^TITLE\s+AGE\s+BRANCH\s+SIZE\s+ACCOUNTS\s+PROJECT\s+ID$/);
    expect(rows).toHaveLength(9);
    expect(rows[0]).toMatch(/(ago|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d)\s+(main|HEAD)\s+[\d.]+(KB|MB)\s+\.claude/);
  });

  it('--json is written row by row, in the text of one indented JSON document', async () => {
    const many = cli(['list', '--all', '--json', ...sb.args]);
    expect(many.stdout.length).toBeGreaterThan(1000);
    expect(many.stdout).toBe(`${JSON.stringify(JSON.parse(many.stdout), null, 2)}\n`);
    const one = cli(['list', '--all', '--json', '--limit', '1', ...sb.args]);
    expect(one.stdout).toBe(`${JSON.stringify(all.slice(0, 1), null, 2)}\n`);
    const elsewhere = await mkdtemp(join(tmpdir(), 'css-list-empty-'));
    try {
      expect(cli(['list', '--json', ...sb.args], { cwd: elsewhere }).stdout).toBe('[]\n');
    } finally {
      await rm(elsewhere, { recursive: true });
    }
  });

  it('--limit, --picker and --project narrow the list', () => {
    expect(json<Row[]>(cli(['list', '--all', '--json', '--limit', '2', ...sb.args]))).toEqual(all.slice(0, 2));
    // One session per account was started with -p / the SDK: the picker does not show those.
    const picker = json<Row[]>(cli(['list', '--all', '--picker', '--json', ...sb.args]));
    expect(picker).toHaveLength(6);
    const notes = json<Row[]>(cli(['list', '--project', '/home/dev/notes', '--json', ...sb.args]));
    expect(notes.length).toBe(all.filter((r) => r.cwd === '/home/dev/notes').length);
    for (const r of notes) expect(r.cwd).toBe('/home/dev/notes');
  });

  it('without --all it lists the current folder’s project, as claude --resume does', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'css-list-cwd-'));
    try {
      const r = cli(['list', '--no-color', ...sb.args], { cwd: elsewhere });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^No sessions for .*css-list-cwd-.*Use --all/);
      expect(json<Row[]>(cli(['list', '--json', ...sb.args], { cwd: elsewhere }))).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true });
    }
  });

  it('after sharing, every session is seen by every account', () => {
    expect(cli(['apply', '--yes', ...sb.args]).code).toBe(0);
    const shared = json<Row[]>(cli(['list', '--all', '--json', ...sb.args]));
    // The sandbox's 9 sessions, plus the fork of the planted diverged session's other version.
    expect(shared).toHaveLength(10);
    for (const row of shared) {
      expect([...row.accounts].sort()).toEqual([...sb.accounts].sort());
      expect(row.copies).toBeUndefined();
    }
  });
});
