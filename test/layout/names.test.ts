import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backupName,
  backupTimestamp,
  classifyProjectEntry,
  compareBackupsNewestFirst,
  encodeProjectDir,
  isLegacyAgentFile,
  isSessionId,
  MAX_PROJECT_DIR_LENGTH,
  NEVER_SHARED,
  type ProjectEntryKind,
  parseBackupName,
  projectDirMatches,
  SHAREABLE_FOLDERS,
  sessionIdOfFile,
} from '../../src/layout/names.js';
import { copiedFixture, FIXTURE_ACCOUNTS, FIXTURE_DIR } from '../support/fixture.js';

/** Every project folder of the fixture with the `cwd` its transcripts record. */
function fixtureFolders(): { account: string; folder: string; cwds: string[] }[] {
  const out: { account: string; folder: string; cwds: string[] }[] = [];
  for (const account of FIXTURE_ACCOUNTS) {
    const projects = join(FIXTURE_DIR, account, 'projects');
    for (const folder of readdirSync(projects)) {
      const cwds: string[] = [];
      for (const file of readdirSync(join(projects, folder), { withFileTypes: true })) {
        if (!file.isFile() || !file.name.endsWith('.jsonl')) continue;
        const lines = readFileSync(join(projects, folder, file.name), 'utf8').split('\n');
        for (const line of lines) {
          if (!line.includes('"cwd"')) continue;
          const cwd = (JSON.parse(line) as { cwd?: unknown }).cwd;
          if (typeof cwd === 'string') {
            cwds.push(cwd);
            break;
          }
        }
      }
      out.push({ account, folder, cwds });
    }
  }
  return out;
}

/** Session ids per account, from the fixture's sessions.tsv (SDK-edit rows repeat ids). */
function tsvSessionIds(): Record<string, Set<string>> {
  const out: Record<string, Set<string>> = {};
  const rows = readFileSync(join(FIXTURE_DIR, 'sessions.tsv'), 'utf8').trim().split('\n').slice(1);
  for (const row of rows) {
    const [, account, id] = row.split('\t');
    if (!account || !id) continue;
    const ids = out[account] ?? new Set<string>();
    ids.add(id);
    out[account] = ids;
  }
  return out;
}

describe('encodeProjectDir and projectDirMatches on every fixture folder', () => {
  const folders = fixtureFolders();

  it('covers every folder of the three accounts, each with transcripts that name a cwd', () => {
    expect(folders).toHaveLength(20);
    expect(new Set(folders.map((f) => f.folder)).size).toBe(7);
    for (const f of folders) expect(f.cwds.length, `${f.account}/${f.folder}`).toBeGreaterThan(0);
  });

  it('encodes each transcript cwd to its folder name (the long one: 200-char cut + -hash)', () => {
    let long = 0;
    for (const { folder, cwds } of folders) {
      for (const cwd of cwds) {
        const encoded = encodeProjectDir(cwd);
        if (folder.length <= 200) {
          expect(encoded).toEqual({ name: folder, truncated: false });
        } else {
          long++;
          expect(folder).toMatch(/^.{200}-[0-9a-z]+$/);
          expect(encoded).toEqual({ name: folder.slice(0, 200), truncated: true });
        }
        expect(projectDirMatches(folder, cwd)).toBe(true);
      }
    }
    expect(long).toBe(4);
  });

  it('rejects near misses of every folder', () => {
    for (const { folder, cwds } of folders) {
      const cwd = cwds[0] as string;
      const nearMisses = [`${folder}-`, folder.slice(1), folder.toUpperCase(), `x${folder}`, `-${folder}`];
      // For a cut name the end is the unreproducible hash: changing it is no near miss
      // (see the next test); for the others, any change at the end is.
      if (folder.length <= 200) {
        nearMisses.push(`${folder}x`, folder.slice(0, -1), `${folder.slice(0, -1)}${folder.endsWith('Z') ? 'Y' : 'Z'}`);
      }
      for (const miss of nearMisses) expect(projectDirMatches(miss, cwd), miss).toBe(false);
      if (folder.length <= 200) {
        expect(projectDirMatches(folder, `${cwd}/sub`)).toBe(false);
        expect(projectDirMatches(folder, `${cwd}x`)).toBe(false);
      }
    }
  });

  it('matches a cut name by prefix + any hash, and nothing else', () => {
    const { folder, cwds } = folders.find((f) => f.folder.length > 200) as { folder: string; cwds: string[] };
    const cwd = cwds[0] as string;
    const cut = folder.slice(0, 200);
    // The hash differs between builds and cannot be reproduced: any alphanumeric one matches.
    expect(projectDirMatches(`${cut}-zz9`, cwd)).toBe(true);
    expect(projectDirMatches(`${cut}-0`, cwd)).toBe(true);
    for (const miss of [
      cut,
      `${cut}-`,
      `${cut}rh40y1`,
      `${cut.slice(0, 199)}-rh40y1`,
      `${cut}-rh40y1-x`,
      `${cut}--rh40y1`,
      `${cut}-rh 40`,
    ]) {
      expect(projectDirMatches(miss, cwd), miss).toBe(false);
    }
    // Lossy by design: another long path with the same first 200 encoded chars matches too.
    expect(projectDirMatches(folder, `${cwd}/even-deeper`)).toBe(true);
  });
});

describe('encodeProjectDir, per UTF-16 code unit', () => {
  it.each([
    ['/Users/x/my.proj', '-Users-x-my-proj'],
    ['C:\\a\\b_c', 'C--a-b-c'],
    ['/tmp/ccfixture/work/ünïcødé café-日本', '-tmp-ccfixture-work--n-c-d--caf----'],
    ['/a/😀', '-a---'],
    ['/a/e\u0301', '-a-e-'],
    ['/a/é', '-a--'],
    ['/a/１２', '-a---'],
    ['/MiXeD/Case09', '-MiXeD-Case09'],
    ['', ''],
  ])('%j -> %j', (cwd, name) => {
    expect(encodeProjectDir(cwd)).toEqual({ name, truncated: false });
  });

  it('cuts at 200 code units, not 200 characters, and not before', () => {
    expect(MAX_PROJECT_DIR_LENGTH).toBe(200);
    const exact = `/${'a'.repeat(199)}`;
    expect(encodeProjectDir(exact)).toEqual({ name: `-${'a'.repeat(199)}`, truncated: false });
    const over = `/${'a'.repeat(200)}`;
    expect(encodeProjectDir(over)).toEqual({ name: `-${'a'.repeat(199)}`, truncated: true });
    // 150 emoji are 300 code units: cut at 200 units, i.e. 100 emoji, each two dashes.
    const astral = `/${'😀'.repeat(150)}`;
    const { name, truncated } = encodeProjectDir(astral);
    expect(truncated).toBe(true);
    expect(name).toBe('-'.repeat(200));
    // 99.5 emoji fit: the cut falls between the two units of the 100th.
    expect(encodeProjectDir(`/${'😀'.repeat(100)}`)).toEqual({ name: '-'.repeat(201).slice(0, 200), truncated: true });
  });
});

describe('session names', () => {
  const id = '27d93fe9-2c75-4c34-ad8e-f4901ef325fa';

  it('sessionIdOfFile accepts <uuid>.jsonl only', () => {
    expect(sessionIdOfFile(`${id}.jsonl`)).toBe(id);
    expect(sessionIdOfFile(`${id.toUpperCase()}.jsonl`)).toBe(id.toUpperCase());
    for (const name of [
      id,
      `${id}.json`,
      `${id}.jsonl.tmp`,
      `${id}.JSONL`,
      `x${id}.jsonl`,
      'agent-a9bbca59f7f8a4649.jsonl',
      '27d93fe9-2c75-4c34-ad8e-f4901ef325f.jsonl',
      '27d93fe92c754c34ad8ef4901ef325fa.jsonl',
      '.jsonl',
    ]) {
      expect(sessionIdOfFile(name), name).toBeUndefined();
    }
  });

  it('isSessionId and isLegacyAgentFile', () => {
    expect(isSessionId(id)).toBe(true);
    expect(isSessionId(`${id}.jsonl`)).toBe(false);
    expect(isSessionId('memory')).toBe(false);
    expect(isLegacyAgentFile('agent-1a2b3c4d.jsonl')).toBe(true);
    expect(isLegacyAgentFile('agent-.jsonl')).toBe(false);
    expect(isLegacyAgentFile('agent-1a2b3c4d.meta.json')).toBe(false);
    expect(isLegacyAgentFile('xagent-1a2b3c4d.jsonl')).toBe(false);
  });

  it.each([
    [`${id}.jsonl`, false, 'session'],
    [id, true, 'session-sidecar'],
    [id, false, 'other'],
    [`${id}.jsonl`, true, 'other'],
    ['agent-1a2b3c4d.jsonl', false, 'legacy-agent'],
    ['memory', true, 'memory'],
    ['memory', false, 'other'],
    ['sessions-index.json', false, 'sessions-index'],
    ['sessions-index.json', true, 'other'],
    ['.DS_Store', false, 'other'],
    ['notes', true, 'other'],
  ] as const)('classifyProjectEntry(%s, dir=%s) = %s', (name, isDirectory, kind) => {
    expect(classifyProjectEntry(name, isDirectory)).toBe(kind);
  });
});

describe('classifyProjectEntry on the fixture (copied, empty folders restored)', () => {
  const copy = copiedFixture();

  it('finds exactly the sessions of sessions.tsv, their sidecar folders, and the memory folders', () => {
    const expectedIds = tsvSessionIds();
    const found: Record<string, Record<ProjectEntryKind, string[]>> = {};
    for (const account of FIXTURE_ACCOUNTS) {
      const kinds: Record<ProjectEntryKind, string[]> = {
        session: [],
        'session-sidecar': [],
        'legacy-agent': [],
        memory: [],
        'sessions-index': [],
        other: [],
      };
      const projects = join(copy.dir, account, 'projects');
      for (const folder of readdirSync(projects)) {
        for (const entry of readdirSync(join(projects, folder), { withFileTypes: true })) {
          const kind = classifyProjectEntry(entry.name, entry.isDirectory());
          kinds[kind].push(kind === 'session' ? (sessionIdOfFile(entry.name) as string) : `${folder}/${entry.name}`);
        }
      }
      found[account] = kinds;
      expect(new Set(kinds.session)).toEqual(expectedIds[account]);
      expect(kinds.other).toEqual([]);
      expect(kinds['legacy-agent']).toEqual([]);
      expect(kinds['sessions-index']).toEqual([]);
      // Every sidecar folder belongs to a transcript next to it.
      for (const sidecar of kinds['session-sidecar']) {
        expect(kinds.session).toContain(sidecar.split('/')[1]);
      }
    }
    expect(found['acct-a']?.session).toHaveLength(11);
    expect(found['acct-b']?.session).toHaveLength(11);
    expect(found['acct-c']?.session).toHaveLength(12);
    const sidecarIds = (a: string) => found[a]?.['session-sidecar'].map((s) => s.split('/')[1]?.slice(0, 8)).sort();
    expect(sidecarIds('acct-a')).toEqual(['c335fa97']);
    expect(sidecarIds('acct-b')).toEqual(['0aa2db07', '56034f8d']);
    expect(sidecarIds('acct-c')).toEqual(['861a597a', 'ffb1c24f']);
    const emptyDirs = JSON.parse(readFileSync(join(FIXTURE_DIR, 'empty-dirs.json'), 'utf8')) as string[];
    for (const account of FIXTURE_ACCOUNTS) {
      const expectedMemory = emptyDirs
        .filter((d) => d.startsWith(`${account}/projects/`) && d.endsWith('/memory'))
        .map((d) => d.slice(`${account}/projects/`.length));
      if (account === 'acct-c') expectedMemory.push('-tmp-ccfixture-work-dotted-project-v2/memory');
      expect(found[account]?.memory.sort()).toEqual(expectedMemory.sort());
    }
  });
});

describe('backup names', () => {
  it('backupName and backupTimestamp follow `projects.bak.$(date +%s)`', () => {
    expect(backupName('projects', '1795761125')).toBe('projects.bak.1795761125');
    expect(backupName('projects', '1795761125', 2)).toBe('projects.bak.1795761125.2');
    expect(backupTimestamp(new Date(1_795_761_125_999))).toBe('1795761125');
    expect(backupTimestamp(1_795_761_125_000)).toBe('1795761125');
    expect(backupTimestamp(999)).toBe('0');
  });

  it('parseBackupName reads back what backupName writes, and rejects other names', () => {
    expect(parseBackupName(backupName('projects', '1795761125'))).toEqual({ folder: 'projects', stamp: '1795761125' });
    expect(parseBackupName(backupName('file-history', '17', 3))).toEqual({ folder: 'file-history', stamp: '17.3' });
    expect(parseBackupName('.claude-2.bak.5')).toEqual({ folder: '.claude-2', stamp: '5' });
    for (const name of ['projects', 'projects.bak', 'projects.bak.', '.bak.5', 'projects.backup.5', 'projects-bak-5']) {
      expect(parseBackupName(name), name).toBeUndefined();
    }
  });

  it('orders newest first: by numeric stamp (99 before 100 is wrong), then counter; odd stamps last', () => {
    const expected = [
      'projects.bak.1795761200.10',
      'projects.bak.1795761200.2',
      'projects.bak.1795761200.1',
      'projects.bak.1795761200',
      'memory.bak.1795761199',
      'projects.bak.1795761125',
      'projects.bak.100',
      'projects.bak.99',
      'projects.bak.old',
      'projects.bak.2026-11-27',
    ];
    const shuffled = [...expected].sort(() => 0).reverse();
    shuffled.push(shuffled.shift() as string);
    expect([...shuffled].sort(compareBackupsNewestFirst)).toEqual(expected);
    expect(compareBackupsNewestFirst('projects.bak.5', 'projects.bak.5')).toBe(0);
  });
});

describe('folder lists', () => {
  it('never shares what is per account, and can share projects and the session-keyed folders', () => {
    expect(SHAREABLE_FOLDERS).toContain('projects');
    expect(NEVER_SHARED).toEqual(
      expect.arrayContaining(['sessions', '.credentials.json', '.claude.json', 'settings.json']),
    );
    for (const folder of SHAREABLE_FOLDERS) expect(NEVER_SHARED).not.toContain(folder);
    expect(Object.isFrozen(SHAREABLE_FOLDERS) && Object.isFrozen(NEVER_SHARED)).toBe(true);
  });
});
