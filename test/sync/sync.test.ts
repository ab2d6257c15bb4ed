/**
 * The synced layout, conflict folding and path-map aliases, on a real temp folder, without
 * a sync engine: the files Syncthing would leave are made by hand (names and behaviour as
 * measured in /work/shared/multi-machine.md).
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import { recover } from '../../src/apply/recover.js';
import {
  type CleanupReport,
  type CleanupSource,
  type CleanupSourceKind,
  lowestCleanupPeriod,
} from '../../src/doctor/cleanup-sources.js';
import { ErrorCodes, SharedSessionsError } from '../../src/errors.js';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { encodeProjectDir } from '../../src/layout/names.js';
import { validatePlan } from '../../src/plan/validate.js';
import { listSessions } from '../../src/sessions/list.js';
import { inspectSync } from '../../src/sync/inspect.js';
import { mapPath, originalOfConflict, parsePathMap, stignoreText } from '../../src/sync/layout.js';
import { emptyPlan, extendPlan } from '../../src/sync/plan.js';
import { cli, json } from '../cli/support.js';
import { faultyFs } from '../support/faulty-fs.js';
import { dumpTree } from '../support/tree.js';

const fs = createNodeFileSystem();
const S = '11111111-1111-4111-8111-111111111111';

const line = (uuid: string, text: string, cwd = '/p', sessionId = S) =>
  `${JSON.stringify({ type: 'user', sessionId, cwd, uuid, timestamp: '2026-12-01T10:00:00.000Z', message: { role: 'user', content: text } })}\n`;

let dir: string;
let root: string;
let shared: string;
let conflicts: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'css-sync-'));
  root = join(dir, 'home', '.claude-shared');
  shared = join(root, 'projects');
  conflicts = join(root, 'conflicts');
  await mkdir(shared, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function fixPlan(
  options: { maps?: ReturnType<typeof parsePathMap>[]; now?: number; tempFreshMs?: number; tempSettleMs?: number } = {},
) {
  const nowMs = options.now ?? Date.now();
  const snap = await inspectSync({
    fs,
    sharedDir: shared,
    conflictsDir: conflicts,
    machine: 'm',
    nowMs,
    ...(options.maps ? { maps: options.maps } : {}),
    ...(options.tempFreshMs === undefined ? {} : { tempFreshMs: options.tempFreshMs }),
    ...(options.tempSettleMs === undefined ? {} : { tempSettleMs: options.tempSettleMs }),
  });
  return extendPlan(emptyPlan(randomUUID(), nowMs, shared, conflicts), snap, {
    nowMs,
    setup: true,
    aliases: true,
    fold: true,
  });
}

/** Every non-empty line of every file under `path`. */
async function allLines(path: string): Promise<string[]> {
  const tree = await dumpTree(fs, path);
  const out: string[] = [];
  for (const [rel, e] of Object.entries(tree)) {
    if (e.type !== 'file') continue;
    out.push(...(await readFile(join(path, rel), 'utf8')).split('\n').filter((l) => l !== ''));
  }
  return out;
}

describe('names', () => {
  it('reads Syncthing conflict names back to their original', () => {
    expect(originalOfConflict(`${S}.sync-conflict-20261203-100345-PJBMAIX.jsonl`)).toBe(`${S}.jsonl`);
    // Syncthing splits at the last dot: agent-a1.meta.json -> agent-a1.meta.sync-conflict-….json
    expect(originalOfConflict('agent-a1.meta.sync-conflict-20261203-100345-HBVI5KZ.json')).toBe('agent-a1.meta.json');
    expect(originalOfConflict(`${S}.jsonl`)).toBeUndefined();
    expect(originalOfConflict('x.sync-conflict-2026-1-ABC.jsonl')).toBeUndefined();
  });

  it("reads the OneDrive Linux client's safeBackup names back, for a transcript only; not iCloud's or Microsoft's", () => {
    // abraunegg/onedrive docs/client-architecture.md: filename-hostname-safeBackup-number.ext
    expect(originalOfConflict(`${S}-onedrive-client-dev-safeBackup-0001.jsonl`)).toBe(`${S}.jsonl`);
    expect(originalOfConflict(`${S}-laptop-safeBackup-0012.jsonl`)).toBe(`${S}.jsonl`);
    // A stem that is not a session id cannot be told from a host name with hyphens.
    expect(originalOfConflict('agent-a1-laptop-safeBackup-0001.jsonl')).toBeUndefined();
    expect(originalOfConflict(`${S}-laptop-safeBackup-1.jsonl`)).toBeUndefined();
    expect(originalOfConflict(`${S}-safeBackup-0001.jsonl`)).toBeUndefined();
    // Not recognised: iCloud's duplicate and Microsoft's reported computer-name suffix.
    expect(originalOfConflict(`${S} 2.jsonl`)).toBeUndefined();
    expect(originalOfConflict(`${S}-DESKTOP-4F2K1.jsonl`)).toBeUndefined();
  });

  it('reads Dropbox conflicted-copy names back to their original', () => {
    expect(originalOfConflict(`${S} (Alice's conflicted copy 2026-12-03).jsonl`)).toBe(`${S}.jsonl`);
    expect(originalOfConflict(`${S} (Alice's MacBook Pro's conflicted copy 2026-12-03 (1)).jsonl`)).toBe(`${S}.jsonl`);
    expect(originalOfConflict(`${S} (conflicted copy).jsonl`)).toBe(`${S}.jsonl`);
    // Dropbox also splits at the last dot.
    expect(originalOfConflict("agent-a1.meta (Bob's conflicted copy 2026-12-03).json")).toBe('agent-a1.meta.json');
    expect(originalOfConflict(`${S} (copy).jsonl`)).toBeUndefined();
    expect(originalOfConflict("(Alice's conflicted copy 2026-12-03).jsonl")).toBeUndefined();
    expect(originalOfConflict(`${S} (Alice's conflicted copy 2026-12-03) extra.jsonl`)).toBeUndefined();
  });

  it('parses --map-path and maps only whole path segments', () => {
    const m = parsePathMap('/home/alice/=/Users/alice');
    expect(m).toEqual({ from: '/home/alice', to: '/Users/alice' });
    expect(mapPath('/home/alice/code/app', m)).toBe('/Users/alice/code/app');
    expect(mapPath('/home/alice', m)).toBe('/Users/alice');
    expect(mapPath('/home/alicex/app', m)).toBeUndefined();
    for (const bad of ['/a', 'a=/b', '/a=b', '/a=/a', '=']) {
      expect(() => parsePathMap(bad)).toThrow(SharedSessionsError);
      try {
        parsePathMap(bad);
      } catch (e) {
        expect((e as SharedSessionsError).code).toBe(ErrorCodes.INVALID_OPTION);
      }
    }
  });
});

describe('synced layout', () => {
  it('refuses a Syncthing root at projects/ itself with ESYNC_LAYOUT, changing nothing', async () => {
    await mkdir(join(shared, '.stfolder'));
    await expect(fixPlan()).rejects.toMatchObject({ code: ErrorCodes.SYNC_LAYOUT });
    const home = join(dir, 'home');
    await mkdir(join(home, '.claude', 'projects', '-p'), { recursive: true });
    await writeFile(join(home, '.claude', 'projects', '-p', `${S}.jsonl`), line('a', 'hi'));
    const treeBefore = await dumpTree(fs, dir);
    const args = ['--home', home, '--shared', shared, '--accounts', join(home, '.claude'), '--yes'];
    const r = cli(['apply', ...args, '--json']);
    expect(r.code).toBe(1);
    expect(json<{ error: { code: string; message: string } }>(r).error).toMatchObject({
      code: 'ESYNC_LAYOUT',
      message: expect.stringMatching(/folder that holds it/),
    });
    expect(await dumpTree(fs, dir)).toEqual(treeBefore);
    const d = json<{ findings: { code: string; severity: string }[] }>(cli(['doctor', ...args, '--json']));
    expect(d.findings).toContainEqual(expect.objectContaining({ code: 'SYNC_ROOT_IS_PROJECTS', severity: 'error' }));
  });

  it('writes .stignore and an empty-ish .stignore-local first, keeps a different .stignore as a backup, then has nothing to do', async () => {
    await mkdir(join(root, '.stfolder'));
    await writeFile(join(root, '.stignore'), 'my own pattern\n');
    const now = Date.UTC(2026, 11, 3, 12, 0, 0);
    const plan = await fixPlan({ now });
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.operations[0]).toMatchObject({ type: 'writeFile', path: join(root, '.stignore') });
    expect(plan.warnings.map((w) => w.code)).toContain('stignore-replaced');
    await applyPlan(plan, { fs });
    const text = await readFile(join(root, '.stignore'), 'utf8');
    expect(text).toContain('#include .stignore-local');
    expect(text).toContain('!/projects');
    expect(text).not.toContain('sync-conflict');
    expect(await readFile(join(root, `.stignore.bak.${Math.floor(now / 1000)}`), 'utf8')).toBe('my own pattern\n');
    expect((await readFile(join(root, '.stignore-local'), 'utf8')).startsWith('//')).toBe(true);
    const again = await fixPlan({ now: now + 1000 });
    expect(again.operations).toEqual([]);
  });

  it('undoes the whole set-up when the apply fails at any step', async () => {
    await mkdir(join(root, '.stfolder'));
    await writeFile(join(root, '.stignore'), 'old\n');
    const plan = await fixPlan({ maps: [parsePathMap('/a=/b')] });
    const before = await dumpTree(fs, root);
    const probe = faultyFs(fs, { failAt: Number.POSITIVE_INFINITY });
    await applyPlan(plan, { fs: probe });
    const steps = probe.calls;
    await rm(root, { recursive: true, force: true });
    for (let k = 1; k <= steps; k++) {
      await mkdir(join(root, '.stfolder'), { recursive: true });
      await mkdir(shared, { recursive: true });
      await writeFile(join(root, '.stignore'), 'old\n');
      const p = await fixPlan({ maps: [parsePathMap('/a=/b')] });
      const outcome = await applyPlan(p, { fs: faultyFs(fs, { failAt: k }) }).then(
        () => 'done',
        () => 'failed',
      );
      const journal = join(root, '.claude-shared-sessions', 'journal.jsonl');
      if (
        outcome === 'failed' &&
        (await fs.lstat(journal).then(
          () => true,
          () => false,
        ))
      ) {
        // Killed past its undo (the journal is left): recover finishes or undoes it.
        await recover({ fs, sharedDir: shared });
      }
      const text = await readFile(join(root, '.stignore'), 'utf8');
      if (text === 'old\n') {
        // Undone: the same names as before, the old ignore file in place.
        const after = await dumpTree(fs, root);
        expect(Object.keys(after).sort(), `failing at call ${k}`).toEqual(Object.keys(before).sort());
        expect(await readFile(join(root, '.stignore'), 'utf8')).toBe('old\n');
      } else {
        // Completed: the new ignore file, the old one kept beside it.
        expect(text, `failing at call ${k} (${outcome})`).toBe(stignoreText());
        const tree = await dumpTree(fs, root);
        const bak = Object.keys(tree).find((n) => n.startsWith('.stignore.bak.')) as string;
        expect(await readFile(join(root, bak), 'utf8')).toBe('old\n');
      }
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('conflict folding', () => {
  const project = () => join(shared, '-p');
  const conflictName = (n: number) => `${S}.sync-conflict-20261203-10034${n}-PJBMAIX.jsonl`;

  it('supersedes a prefix copy, lets a longer copy replace the original, forks a diverged one; every line stays reachable', async () => {
    await mkdir(project());
    const base = line('a', 'hello');
    await writeFile(join(project(), `${S}.jsonl`), base + line('b', 'turn on L'));
    await writeFile(join(project(), conflictName(1)), base); // a prefix
    await writeFile(join(project(), conflictName(2)), base + line('c', 'turn on D')); // diverged
    const linesBefore = await allLines(project());
    const plan = await fixPlan();
    expect(validatePlan(plan)).toEqual([]);
    await applyPlan(plan, { fs });
    // No conflict copy is left in projects/; both stay somewhere (conflicts folder).
    const names = Object.keys(await dumpTree(fs, project()));
    expect(names.filter((n) => n.includes('sync-conflict'))).toEqual([]);
    const keptNames = Object.keys(await dumpTree(fs, join(conflicts, 'projects', '-p')));
    expect(keptNames.sort()).toEqual([conflictName(1), conflictName(2)].sort());
    // The diverged copy is a new resumable session; the original stays.
    const listed = await listSessions({ fs, projectsDir: shared, project: '/p' });
    const ids = listed.sessions.map((s) => s.sessionId);
    expect(ids).toContain(S);
    expect(ids).toHaveLength(2);
    const fork = ids.find((i) => i !== S) as string;
    const forkText = await readFile(join(project(), `${fork}.jsonl`), 'utf8');
    expect(forkText).toContain('turn on D');
    expect(forkText).not.toContain(`"sessionId":"${S}"`);
    // Nothing lost: every line before is in a listed session or the conflicts folder.
    const after = [...(await allLines(project())), ...(await allLines(conflicts))];
    for (const l of linesBefore) {
      const text = JSON.parse(l).message.content as string;
      expect(after.some((a) => a.includes(text))).toBe(true);
    }
    expect((await fixPlan()).operations).toEqual([]);
  });

  it('folds a Dropbox conflicted copy of a transcript like a Syncthing one: a diverged copy becomes a resumable fork', async () => {
    await mkdir(project());
    const base = line('a', 'hello');
    const dropboxName = `${S} (Alice's conflicted copy 2026-12-03).jsonl`;
    await writeFile(join(project(), `${S}.jsonl`), base + line('b', 'turn on L'));
    await writeFile(join(project(), dropboxName), base + line('c', 'turn on D'));
    const plan = await fixPlan();
    expect(validatePlan(plan)).toEqual([]);
    await applyPlan(plan, { fs });
    expect(Object.keys(await dumpTree(fs, project())).filter((n) => n.includes('conflicted copy'))).toEqual([]);
    expect(Object.keys(await dumpTree(fs, join(conflicts, 'projects', '-p')))).toEqual([dropboxName]);
    const listed = await listSessions({ fs, projectsDir: shared, project: '/p' });
    expect(listed.sessions).toHaveLength(2);
    const fork = listed.sessions.find((x) => x.sessionId !== S)?.sessionId as string;
    expect(await readFile(join(project(), `${fork}.jsonl`), 'utf8')).toContain('turn on D');
    expect(await readFile(join(project(), `${S}.jsonl`), 'utf8')).toContain('turn on L');
    expect((await fixPlan()).operations).toEqual([]);
  });

  it("folds the OneDrive Linux client's safeBackup copy of a transcript: a longer one takes the canonical name", async () => {
    await mkdir(project());
    const base = line('a', 'hello');
    const backupName = `${S}-laptop-safeBackup-0001.jsonl`;
    await writeFile(join(project(), `${S}.jsonl`), base);
    await writeFile(join(project(), backupName), base + line('b', 'written on the laptop'));
    const plan = await fixPlan();
    expect(validatePlan(plan)).toEqual([]);
    await applyPlan(plan, { fs });
    expect(Object.keys(await dumpTree(fs, project()))).toEqual([`${S}.jsonl`]);
    expect(await readFile(join(project(), `${S}.jsonl`), 'utf8')).toBe(base + line('b', 'written on the laptop'));
    expect((await fixPlan()).operations).toEqual([]);
  });

  it('puts a longer conflict copy at the canonical name and keeps the shorter original', async () => {
    await mkdir(project());
    const base = line('a', 'hello');
    await writeFile(join(project(), `${S}.jsonl`), base);
    await writeFile(join(project(), conflictName(3)), base + line('b', 'more'));
    const plan = await fixPlan();
    await applyPlan(plan, { fs });
    expect(await readFile(join(project(), `${S}.jsonl`), 'utf8')).toBe(base + line('b', 'more'));
    const kept = await dumpTree(fs, join(conflicts, 'projects', '-p'));
    const keptFile = Object.keys(kept).find((n) => n.startsWith(S)) as string;
    expect(await readFile(join(conflicts, 'projects', '-p', keptFile), 'utf8')).toBe(base);
  });

  it('leaves a copy alone while Syncthing is writing next to it, and refuses a plan made stale by the engine', async () => {
    await mkdir(project());
    await writeFile(join(project(), `${S}.jsonl`), line('a', 'hello') + line('b', 'x'));
    await writeFile(join(project(), conflictName(4)), line('a', 'hello'));
    const temp = join(project(), `.syncthing.${S}.jsonl.tmp`);
    await writeFile(temp, 'partial');
    // The engine still writes the temp file while the fold is planned: busy.
    const writer = setInterval(() => void appendFile(temp, 'x'), 50);
    let busy: Awaited<ReturnType<typeof fixPlan>>;
    try {
      busy = await fixPlan({ tempSettleMs: 400 });
    } finally {
      clearInterval(writer);
    }
    expect(busy.operations.filter((o) => o.type === 'rename')).toEqual([]);
    expect(busy.warnings.map((w) => w.code)).toContain('sync-busy');
    // A fresh temp file that does not change is the leftover of a race (kept for a day):
    // it does not block, as in the two-machine run right after an append on both sides.
    await new Promise((r) => setTimeout(r, 100));
    const quiet = await fixPlan({ tempSettleMs: 400 });
    expect(quiet.warnings.map((w) => w.code)).not.toContain('sync-busy');
    expect(quiet.operations.some((o) => o.type === 'rename')).toBe(true);
    // An old leftover temp file (Syncthing keeps them for a day) does not block.
    const old = new Date(Date.now() - 3600_000);
    await utimes(join(project(), `.syncthing.${S}.jsonl.tmp`), old, old);
    const plan = await fixPlan();
    expect(plan.operations.some((o) => o.type === 'rename')).toBe(true);
    // The engine appends to the copy after planning: the apply refuses, nothing moves.
    await writeFile(join(project(), conflictName(4)), `${line('a', 'hello')}tail\n`);
    await expect(applyPlan(plan, { fs })).rejects.toMatchObject({ code: ErrorCodes.STALE_PLAN });
    expect(Object.keys(await dumpTree(fs, project()))).toContain(conflictName(4));
  });
});

describe('path-map aliases', () => {
  const lSlug = encodeProjectDir('/home/alice/app').name;
  const dSlug = encodeProjectDir('/Users/alice/app').name;
  const map = () => parsePathMap('/home/alice=/Users/alice');

  it('links this machine’s slug to the other machine’s folder with a relative link; listing finds it once', async () => {
    await mkdir(join(shared, lSlug));
    await writeFile(join(shared, lSlug, `${S}.jsonl`), line('a', 'hi', '/home/alice/app'));
    const plan = await fixPlan({ maps: [map()] });
    expect(validatePlan(plan)).toEqual([]);
    await applyPlan(plan, { fs });
    expect(await readlink(join(shared, dSlug))).toBe(lSlug);
    const mine = await listSessions({ fs, projectsDir: shared, project: '/Users/alice/app' });
    expect(mine.sessions.map((s) => s.sessionId)).toEqual([S]);
    const all = await listSessions({ fs, projectsDir: shared });
    expect(all.sessions.map((s) => s.sessionId)).toEqual([S]);
    expect(all.problems).toEqual([]);
    // The maps are kept machine-locally and used again.
    expect(JSON.parse(await readFile(join(root, '.claude-shared-local', 'path-maps.json'), 'utf8')).maps).toEqual([
      map(),
    ]);
    expect((await fixPlan()).operations).toEqual([]);
  });

  it('merges two real folders of one project into the smaller name and links the other; both machines choose alike', async () => {
    const T = '22222222-2222-4222-8222-222222222222';
    await mkdir(join(shared, lSlug));
    await mkdir(join(shared, dSlug));
    await writeFile(join(shared, lSlug, `${S}.jsonl`), line('a', 'from L', '/home/alice/app'));
    await writeFile(join(shared, dSlug, `${T}.jsonl`), line('a', 'from D', '/Users/alice/app', T));
    // The same session in both folders, one copy a prefix of the other.
    await writeFile(
      join(shared, dSlug, `${S}.jsonl`),
      line('a', 'from L', '/home/alice/app') + line('b', 'later', '/Users/alice/app'),
    );
    const canonical = [lSlug, dSlug].sort()[0] as string;
    const other = canonical === lSlug ? dSlug : lSlug;
    // From the other machine's side (the reverse map), the choice is the same.
    const reverse = parsePathMap('/Users/alice=/home/alice');
    const planA = await fixPlan({ maps: [map()] });
    const snapB = await inspectSync({
      fs,
      sharedDir: shared,
      conflictsDir: conflicts,
      machine: 'b',
      nowMs: Date.now(),
      maps: [reverse],
    });
    expect(snapB.aliases[0]?.merge?.canonical).toBe(canonical);
    expect(validatePlan(planA)).toEqual([]);
    await applyPlan(planA, { fs });
    expect(await readlink(join(shared, other))).toBe(canonical);
    for (const project of ['/home/alice/app', '/Users/alice/app']) {
      const listed = await listSessions({ fs, projectsDir: shared, project });
      expect(listed.sessions.map((s) => s.sessionId).sort()).toEqual([S, T].sort());
    }
  });

  it('list shows an aliased session once, with every path that reaches it (text and --json); SDK fields unchanged', async () => {
    const T = '22222222-2222-4222-8222-222222222222';
    await mkdir(join(shared, lSlug));
    await writeFile(join(shared, lSlug, `${S}.jsonl`), line('a', 'hi from the laptop', '/home/alice/app'));
    const elsewhere = encodeProjectDir('/srv/other').name;
    await mkdir(join(shared, elsewhere));
    await writeFile(join(shared, elsewhere, `${T}.jsonl`), line('a', 'unrelated', '/srv/other', T));
    await applyPlan(await fixPlan({ maps: [map()] }), { fs });
    expect(await readlink(join(shared, dSlug))).toBe(lSlug);

    const home = join(dir, 'home');
    await mkdir(join(home, '.claude'), { recursive: true });
    await symlink(shared, join(home, '.claude', 'projects'));
    const args = ['--home', home, '--shared', shared, '--accounts', join(home, '.claude')];
    type Row = { sessionId: string; cwd?: string; aliases?: string[]; projectPaths?: string[]; projectDir: string };
    const rows = json<Row[]>(cli(['list', '--all', '--json', ...args]));
    expect(rows.map((r) => r.sessionId).sort()).toEqual([S, T].sort());
    const aliased = rows.find((r) => r.sessionId === S) as Row;
    expect(aliased.projectDir).toBe(lSlug);
    expect(aliased.cwd).toBe('/home/alice/app');
    expect(aliased.aliases).toEqual([dSlug]);
    expect(aliased.projectPaths).toEqual(['/home/alice/app', '/Users/alice/app']);
    const plain = rows.find((r) => r.sessionId === T) as Row;
    expect(plain.aliases).toBeUndefined();
    expect(plain.projectPaths).toBeUndefined();

    // Through this machine's path: the same one row, with the same paths.
    const mine = json<Row[]>(cli(['list', '--project', '/Users/alice/app', '--json', ...args]));
    expect(mine.map((r) => [r.sessionId, r.projectPaths])).toEqual([[S, ['/home/alice/app', '/Users/alice/app']]]);

    const text = cli(['list', '--all', '--no-color', ...args]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n').filter((l) => l.includes('hi from the laptop'));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain('/home/alice/app, /Users/alice/app');

    // The library adds `aliases` and nothing else to a row: the SDK's fields are as before.
    const lib = await listSessions({ fs, projectsDir: shared });
    const row = lib.sessions.find((s) => s.sessionId === S);
    expect(row?.aliases).toEqual([dSlug]);
    expect(
      Object.keys(row ?? {})
        .filter((k) => !['path', 'projectDir', 'accounts', 'copies', 'aliases'].includes(k))
        .sort(),
    ).toEqual(
      Object.keys(lib.sessions.find((s) => s.sessionId === T) ?? {})
        .filter((k) => !['path', 'projectDir', 'accounts', 'copies'].includes(k))
        .sort(),
    );
  });

  it('a plan whose alias link leaves its folder is invalid', async () => {
    await mkdir(join(shared, lSlug));
    await writeFile(join(shared, lSlug, `${S}.jsonl`), line('a', 'hi', '/home/alice/app'));
    const plan = await fixPlan({ maps: [map()] });
    const op = plan.operations.find((o) => o.type === 'symlink');
    if (op?.type !== 'symlink') throw new Error('no alias');
    op.linkText = `../${lSlug}`;
    expect(validatePlan(plan).map((i) => i.code)).toContain('OUTSIDE_ROOTS');
    op.linkText = 'elsewhere';
    expect(validatePlan(plan).map((i) => i.code)).toContain('OUTSIDE_ROOTS');
  });
});

describe('machines registry', () => {
  it('doctor reports another machine whose cleanup period is lower than any here', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.claude'), { recursive: true });
    await mkdir(join(root, '.claude-shared-machines'), { recursive: true });
    await writeFile(
      join(root, '.claude-shared-machines', 'desk.json'),
      JSON.stringify({
        name: 'desk',
        tool: 'claude-shared-sessions',
        version: '0.1.0',
        pathMaps: [],
        accounts: [{ path: '/home/x/.claude', cleanupPeriodDays: 7 }],
        lastSeen: '2026-12-01T00:00:00.000Z',
      }),
    );
    await symlink(shared, join(home, '.claude', 'projects'));
    const args = ['--home', home, '--shared', shared, '--accounts', join(home, '.claude')];
    const d = json<{ findings: { code: string; message: string }[] }>(cli(['doctor', ...args, '--json']));
    const f = d.findings.find((x) => x.code === 'SYNC_REMOTE_CLEANUP');
    expect(f?.message).toMatch(/desk.*cleanupPeriodDays 7/);
  });

  it("records each account's lowest effective period with its source (project settings), and another machine reports it", async () => {
    const home = join(dir, 'home');
    const project = join(dir, 'work', 'app');
    await mkdir(join(project, '.claude'), { recursive: true });
    await writeFile(join(project, '.claude', 'settings.json'), '{ "cleanupPeriodDays": 5 }\n');
    await mkdir(join(home, '.claude'), { recursive: true });
    await writeFile(join(home, '.claude', 'settings.json'), '{ "cleanupPeriodDays": 3650 }\n');
    const slug = encodeProjectDir(project).name;
    await mkdir(join(shared, slug));
    await writeFile(join(shared, slug, `${S}.jsonl`), line('a', 'hi', project));
    await symlink(shared, join(home, '.claude', 'projects'));
    await mkdir(join(root, '.claude-shared-machines'), { recursive: true });
    const args = ['--home', home, '--shared', shared, '--accounts', join(home, '.claude')];
    const env = {
      CLAUDE_SHARED_SESSIONS_MACHINE: 'laptop',
      CLAUDE_SHARED_SESSIONS_MANAGED_DIR: join(dir, 'no-managed'),
    };

    const applied = cli(['apply', '--yes', ...args], { env });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const record = JSON.parse(await readFile(join(root, '.claude-shared-machines', 'laptop.json'), 'utf8'));
    expect(record.accounts).toEqual([
      {
        path: join(home, '.claude'),
        cleanupPeriodDays: 5,
        source: { kind: 'project', path: join(project, '.claude', 'settings.json') },
      },
    ]);

    // The same folder seen from another machine (the record synced there), whose own
    // accounts keep 3650 days: it reports the laptop's period and where it comes from.
    await rm(join(project, '.claude'), { recursive: true });
    const desk = {
      CLAUDE_SHARED_SESSIONS_MACHINE: 'desk',
      CLAUDE_SHARED_SESSIONS_MANAGED_DIR: env.CLAUDE_SHARED_SESSIONS_MANAGED_DIR,
    };
    const d = json<{ findings: { code: string; message: string }[] }>(
      cli(['doctor', '--json', ...args], { env: desk }),
    );
    const f = d.findings.find((x) => x.code === 'SYNC_REMOTE_CLEANUP');
    expect(f?.message).toContain('Machine laptop');
    expect(f?.message).toContain(
      `cleanupPeriodDays 5 (from ${join(project, '.claude', 'settings.json')}, project settings)`,
    );
    expect(f?.message).toContain(`remove "cleanupPeriodDays" from ${join(project, '.claude', 'settings.json')}`);
    const status = cli(['status', '--no-color', ...args], { env: desk });
    expect(status.stdout).toMatch(/laptop: last seen .*smallest cleanupPeriodDays 5 \(from .*project settings\)/);
  });

  it('lowestCleanupPeriod follows Claude Code’s precedence: managed over everything, a project’s local file over its shared one', () => {
    const src = (kind: CleanupSourceKind, days: number, project?: string): CleanupSource => ({
      kind,
      path: `/${kind}/${project ?? ''}`,
      days,
      set: true,
      ...(kind === 'account' ? { account: '/a' } : {}),
      ...(project === undefined ? {} : { project }),
      wouldDelete: 0,
      low: false,
    });
    const report = (sources: CleanupSource[]): CleanupReport => ({
      sharedDir: '/s',
      sessions: 0,
      keepDays: 3650,
      projectsChecked: 0,
      projectsWithoutCwd: 0,
      sources,
    });
    // A project's settings.local.json (20) overrides its settings.json (2): 2 never applies.
    expect(
      lowestCleanupPeriod(report([src('account', 100), src('project', 2, '/p'), src('project-local', 20, '/p')]), '/a'),
    ).toMatchObject({ days: 20, kind: 'project-local', project: '/p' });
    expect(lowestCleanupPeriod(report([src('account', 100), src('project', 9, '/q')]), '/a')).toMatchObject({
      days: 9,
      kind: 'project',
    });
    // Managed settings override the account and every project, even upwards.
    expect(
      lowestCleanupPeriod(report([src('account', 4), src('project', 2, '/p'), src('managed', 60)]), '/a'),
    ).toMatchObject({ days: 60, kind: 'managed' });
    expect(lowestCleanupPeriod(report([src('account', 40)]), '/a')).toMatchObject({ days: 40, kind: 'account' });
    expect(lowestCleanupPeriod(report([src('account', 40)]), '/other')).toBeUndefined();
  });
});

it('the written .stignore lets only projects/ and the registry through', () => {
  const text = stignoreText();
  const rules = text.split('\n').filter((l) => l !== '' && !l.startsWith('//'));
  expect(rules.at(-1)).toBe('*');
  expect(rules).toContain('!/projects');
  expect(rules).toContain('!/.claude-shared-machines');
});
