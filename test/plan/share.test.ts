import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/demo/sandbox.js';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';
import { type InspectOptions, inspect } from '../../src/inspect/inspect.js';
import { describePlan } from '../../src/plan/describe.js';
import { fingerprintSnapshot } from '../../src/plan/fingerprint.js';
import { planShare } from '../../src/plan/share.js';
import { validatePlan } from '../../src/plan/validate.js';
import { fixtureOnMemfs } from '../support/fixture.js';
import { dumpTree } from '../support/tree.js';
import { A, applyForTest, B, CTX, NOW, SHARED, SID, snapshotOf } from './support.js';

const FX = '/fx';
const fxOptions = (fs: FileSystem): InspectOptions => ({
  fs,
  home: FX,
  cwd: FX,
  env: {},
  accounts: [`${FX}/acct-a`, `${FX}/acct-b`, `${FX}/acct-c`],
  sharedDir: `${FX}/shared/projects`,
  isProcessAlive: () => false,
});
const DIVERGED = ['ceb3fbf6-7272-41cc-a8be-a0b3310b339c', 'cd132a96-841f-412f-9081-eeda91a39073'];

async function hashesUnder(fs: FileSystem, root: string): Promise<Set<string>> {
  const tree = await dumpTree(fs, root).catch(() => ({}));
  return new Set(Object.values(tree).flatMap((e) => (e.sha256 ? [e.sha256] : [])));
}

describe('planShare on the Claude Code 2.1.332 fixture', () => {
  it('merges three accounts, reports the two diverged sessions, backs up and links each', async () => {
    const { fs } = await fixtureOnMemfs(FX);
    const snapshot = await inspect(fxOptions(fs));
    const plan = planShare(snapshot, CTX);
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.conflicts.map((c) => [c.code, c.sessionId, c.resolution]).sort()).toEqual(
      DIVERGED.map((id) => ['diverged', id, 'forked']).sort(),
    );
    // The fixture's README: ceb3fbf6 began in acct-c and cd132a96 in acct-b; each was resumed in both.
    const kept = Object.fromEntries(plan.conflicts.map((c) => [c.sessionId, c.kept?.split('/')[2]]));
    const lastRecord = (account: string, id: string) =>
      snapshot.accounts
        .find((a) => a.realPath.endsWith(account))
        ?.folders.projects?.entries.find((e) => e.path.endsWith(`${id}.jsonl`))?.lastRecordMs ?? 0;
    for (const id of DIVERGED) {
      const [x, y] = id.startsWith('ceb') ? ['acct-a', 'acct-c'] : ['acct-b', 'acct-c'];
      expect(kept[id]).toBe(lastRecord(x, id) > lastRecord(y, id) ? x : y);
    }

    // 34 transcripts + 2 subagent transcripts + their meta + sidecar json + memory notes,
    // minus the two diverged sessions counted twice: every distinct path once at its canonical place.
    const canonical = plan.operations.filter((o) => o.type === 'copyFile' && o.to.startsWith(`${FX}/shared/projects/`));
    const transcripts = canonical.filter((o) => o.type === 'copyFile' && /\/[0-9a-f-]{36}\.jsonl$/.test(o.to));
    expect(transcripts).toHaveLength(34 - 2);
    // The default forks the other version of each: a new session, not a copy in the conflicts folder.
    expect(plan.operations.filter((o) => o.reason === 'conflict-kept')).toHaveLength(0);
    expect(plan.operations.filter((o) => o.type === 'forkSession').map((o) => o.sessionId)).toEqual(
      expect.arrayContaining(DIVERGED),
    );
    expect(plan.operations.filter((o) => o.type === 'forkSession')).toHaveLength(2);

    // Safe order: every merge copy before the first backup, every backup before the first link.
    const index = (pred: (o: (typeof plan.operations)[number]) => boolean) => plan.operations.findIndex(pred);
    const lastIndex = (pred: (o: (typeof plan.operations)[number]) => boolean) =>
      plan.operations.length - 1 - [...plan.operations].reverse().findIndex(pred);
    expect(lastIndex((o) => o.type === 'copyFile')).toBeLessThan(index((o) => o.reason === 'backup'));
    expect(lastIndex((o) => o.reason === 'backup')).toBeLessThan(index((o) => o.reason === 'link'));
    expect(plan.operations.filter((o) => o.reason === 'backup')).toHaveLength(3);
    expect(plan.operations.filter((o) => o.reason === 'link')).toHaveLength(3);
    // One settings.json per account; the fixture's accounts have none, so each also gets
    // the record that it did not exist (for rollback).
    const cleanup = plan.operations.filter((o) => o.reason === 'cleanup-period');
    expect(cleanup.filter((o) => o.type === 'writeFile' && o.path.endsWith('/settings.json'))).toHaveLength(3);
    expect(
      cleanup.filter((o) => o.type === 'writeFile' && /\/settings\.json\.bak\.\d+\.absent$/.test(o.path)),
    ).toHaveLength(3);
    expect(cleanup).toHaveLength(6);
  });

  it('is deterministic and survives a JSON round trip', async () => {
    const { fs } = await fixtureOnMemfs(FX);
    const first = await inspect(fxOptions(fs));
    const second = await inspect(fxOptions(fs));
    expect(second).toEqual(first);
    expect(fingerprintSnapshot(second)).toBe(fingerprintSnapshot(first));
    const plan = planShare(first, CTX);
    expect(planShare(second, CTX)).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(planShare(JSON.parse(JSON.stringify(first)), CTX)).toEqual(plan);
  });

  it('loses no byte when applied, and plans nothing afterwards', async () => {
    const { fs } = await fixtureOnMemfs(FX);
    const before = new Set<string>();
    for (const a of ['acct-a', 'acct-b', 'acct-c'])
      for (const h of await hashesUnder(fs, `${FX}/${a}/projects`)) before.add(h);
    const plan = planShare(await inspect(fxOptions(fs)), { ...CTX, onDiverged: 'keep-newest' });
    await applyForTest(fs, plan);

    const reachable = new Set([...(await hashesUnder(fs, `${FX}/shared`))]);
    for (const a of ['acct-a', 'acct-b', 'acct-c']) {
      expect((await fs.lstat(`${FX}/${a}/projects`)).type).toBe('symlink');
      for (const h of await hashesUnder(fs, `${FX}/${a}/projects.bak.${Math.floor(NOW / 1000)}`)) reachable.add(h);
    }
    for (const h of before) expect(reachable.has(h)).toBe(true);
    // Both copies of each diverged session are reachable from the shared parent alone.
    const shared = await hashesUnder(fs, `${FX}/shared`);
    for (const h of before) expect(shared.has(h)).toBe(true);

    const again = planShare(await inspect(fxOptions(fs)), { ...CTX, id: 'plan-2' });
    expect(again.operations).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect(again.warnings).toEqual([]);
  });

  it('by default keeps every version of a diverged session as a session in the shared folder', async () => {
    const { fs } = await fixtureOnMemfs(FX);
    const versions = new Map<string, string[]>();
    for (const a of ['acct-a', 'acct-b', 'acct-c']) {
      for (const [path, e] of Object.entries(await dumpTree(fs, `${FX}/${a}/projects`))) {
        const id = DIVERGED.find((d) => path.endsWith(`${d}.jsonl`));
        if (id && e.sha256) versions.set(id, [...(versions.get(id) ?? []), `${FX}/${a}/projects/${path}`]);
      }
    }
    const originals = new Map<string, string>();
    for (const [id, paths] of versions) {
      for (const p of paths) originals.set(p, new TextDecoder().decode(await fs.readFile(p)).replaceAll(id, '<id>'));
    }
    const plan = planShare(await inspect(fxOptions(fs)), CTX);
    await applyForTest(fs, plan);
    // Every version, with its own id written in place of the original one, is a transcript in the shared folder.
    const shared = await dumpTree(fs, `${FX}/shared/projects`);
    const sessions: string[] = [];
    for (const path of Object.keys(shared)) {
      const m = /([0-9a-f-]{36})\.jsonl$/.exec(path);
      if (!m || path.split('/').length !== 2) continue;
      sessions.push(
        new TextDecoder().decode(await fs.readFile(`${FX}/shared/projects/${path}`)).replaceAll(m[1] as string, '<id>'),
      );
    }
    for (const [path, text] of originals) expect(sessions, path).toContain(text);
    expect(await dumpTree(fs, `${FX}/shared/conflicts`).catch(() => ({}))).toEqual({});
    const again = planShare(await inspect(fxOptions(fs)), { ...CTX, id: 'plan-2' });
    expect(again.operations).toEqual([]);
  });
});

describe('planShare on the demo sandbox', () => {
  it('handles the planted identical, prefix and diverged sessions', async () => {
    const { Volume } = await import('memfs');
    const fs = createMemFileSystem(new Volume());
    const sandbox = await createSandbox({ fs, root: '/s' });
    const options: InspectOptions = {
      fs,
      home: sandbox.home,
      cwd: sandbox.home,
      env: {},
      accounts: sandbox.accounts,
      sharedDir: sandbox.sharedDir,
      isProcessAlive: () => false,
    };
    const plan = planShare(await inspect(options), CTX);
    expect(plan.conflicts.map((c) => [c.code, c.sessionId])).toEqual([['diverged', sandbox.planted.diverged]]);
    const about = (id: string) => plan.operations.filter((o) => o.type === 'copyFile' && o.from.includes(id));
    expect(about(sandbox.planted.identical)).toHaveLength(1);
    expect(about(sandbox.planted.prefix).map((o) => [o.reason, o.account])).toEqual([['longer', sandbox.accounts[2]]]);
    // cleanupPeriodDays 30, 14, 90 -> all raised to the ten-year floor, the JSON otherwise unchanged.
    const writes = plan.operations.filter((o) => o.type === 'writeFile');
    expect(writes.map((o) => (o.type === 'writeFile' ? o.content : ''))).toEqual(
      Array(3).fill('{\n  "cleanupPeriodDays": 3650\n}\n'),
    );
    await applyForTest(fs, plan);
    const again = planShare(await inspect(options), CTX);
    expect(again.operations).toEqual([]);
  });
});

describe('planShare and cleanupPeriodDays', () => {
  const settings = (text: string) => ({ content: text, mode: 0o644 });

  it('raises it to max(3650, largest set) in the text, keeping other keys, and backs the old file up', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/settings.json`]: settings('{\n    "model": "opus",\n    "cleanupPeriodDays": 30\n}\n'),
      [`${B}/settings.json`]: settings('{"cleanupPeriodDays": 5000, "theme": "dark"}'),
    });
    const plan = planShare(snapshot, CTX);
    const writes = plan.operations.filter((o) => o.type === 'writeFile');
    const old = '{\n    "model": "opus",\n    "cleanupPeriodDays": 30\n}\n';
    expect(writes).toEqual([
      expect.objectContaining({
        type: 'writeFile',
        reason: 'cleanup-period',
        path: `${A}/settings.json`,
        content: '{\n    "model": "opus",\n    "cleanupPeriodDays": 5000\n}\n',
        mode: 0o644,
        expect: expect.objectContaining({
          type: 'file',
          size: old.length,
          hash: createHash('sha256').update(old).digest('hex'),
        }),
        backupTo: `${A}/settings.json.bak.${Math.floor(NOW / 1000)}`,
      }),
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });

  it("creates settings.json when there is none; a value below an account's period is refused unless allowed", async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/-p/${SID}.jsonl`]: '{}\n',
      [`${B}/settings.json`]: '{"cleanupPeriodDays": 900}',
    });
    // B keeps 900 days: 400 would make B's Claude Code delete everyone's sessions older than 400.
    let refused: unknown;
    try {
      planShare(snapshot, { ...CTX, cleanupPeriodDays: 400 });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      code: 'EINVALID_OPTION',
      message: expect.stringContaining(`${B} (900 days)`),
      details: [{ account: B, days: 900, requested: 400 }],
    });

    const plan = planShare(snapshot, { ...CTX, cleanupPeriodDays: 400, allowLowerCleanupPeriod: true });
    expect(plan.operations.filter((o) => o.type === 'writeFile')).toEqual([
      expect.objectContaining({
        path: `${A}/settings.json`,
        content: '{\n  "cleanupPeriodDays": 400\n}\n',
        expect: { type: 'absent' },
        cleanupPeriodDays: { from: 30, fromSet: false, to: 400 },
      }),
      // Nothing to back up in A: a record says there was no settings.json, for rollback.
      expect.objectContaining({
        path: `${A}/settings.json.bak.${Math.floor(NOW / 1000)}.absent`,
        expect: { type: 'absent' },
      }),
      expect.objectContaining({
        path: `${B}/settings.json`,
        cleanupPeriodDays: { from: 900, fromSet: true, to: 400 },
      }),
    ]);
    expect(plan.operations.find((o) => o.type === 'writeFile')).not.toHaveProperty('backupTo');
    const text = describePlan(plan);
    expect(text).toContain(
      `set cleanupPeriodDays to 400 (unset: 30 days by default, so this raises it) in ${A}/settings.json`,
    );
    expect(text).toContain(`lower cleanupPeriodDays from 900 to 400 in ${B}/settings.json`);
  });

  it('refuses a value below the default 30 days of an account that sets none', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/projects/-p/${SID}.jsonl`]: '{}\n' });
    expect(() => planShare(snapshot, { ...CTX, cleanupPeriodDays: 7 })).toThrow(
      expect.objectContaining({ code: 'EINVALID_OPTION', message: expect.stringContaining('30 days, the default') }),
    );
    const plan = planShare(snapshot, { ...CTX, cleanupPeriodDays: 7, allowLowerCleanupPeriod: true });
    expect(describePlan(plan)).toContain('set cleanupPeriodDays to 7 (unset: 30 days by default, so this lowers it)');
  });

  it('says "raise" for a value set lower before', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/settings.json`]: '{"cleanupPeriodDays": 14}' });
    expect(describePlan(planShare(snapshot, CTX))).toContain(
      `raise cleanupPeriodDays from 14 to 3650 in ${A}/settings.json`,
    );
  });

  it('warns, and writes nothing, when the caller opts out', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/settings.json`]: '{"cleanupPeriodDays": 14}',
      [`${B}/settings.json`]: '{}',
    });
    const plan = planShare(snapshot, { ...CTX, cleanupPeriodDays: false });
    expect(plan.operations.filter((o) => o.type === 'writeFile')).toEqual([]);
    expect(plan.warnings).toEqual([
      expect.objectContaining({ code: 'cleanup-hazard', message: expect.stringContaining('14 days') }),
    ]);
  });

  it('never rewrites a linked or malformed settings.json, and says what to do', async () => {
    const { snapshot } = await snapshotOf({
      '/dotfiles/settings.json': '{}',
      [`${A}/settings.json`]: { link: '/dotfiles/settings.json' },
      [`${B}/settings.json`]: '{ not json',
    });
    const plan = planShare(snapshot, CTX);
    expect(plan.operations.filter((o) => o.type === 'writeFile')).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['settings-symlink', 'settings-malformed']),
    );
  });

  it('rejects a cleanupPeriodDays that Claude Code would reject', async () => {
    const { snapshot } = await snapshotOf({ [`${A}/settings.json`]: '{}' });
    expect(() => planShare(snapshot, { ...CTX, cleanupPeriodDays: 0 })).toThrow(
      expect.objectContaining({ code: 'EINVALID_OPTION' }),
    );
  });

  it('leaves accounts whose folder is a link elsewhere out of every phase', async () => {
    const { snapshot } = await snapshotOf({
      '/data/x/-p/a.jsonl': '{}\n',
      [`${A}/projects`]: { link: '/data/x' },
      [`${B}/projects/-p/${SID}.jsonl`]: '{}\n',
    });
    const plan = planShare(snapshot, CTX);
    expect(plan.operations.some((o) => o.account === A)).toBe(false);
    expect(plan.conflicts.map((c) => c.code)).toEqual(['link-elsewhere']);
    expect(plan.operations.filter((o) => o.type === 'symlink')).toEqual([
      expect.objectContaining({ path: `${B}/projects`, target: SHARED }),
    ]);
  });
});

describe('planShare with other folders', () => {
  it('merges, backs up and links each folder asked for, by the same rules', async () => {
    const { snapshot } = await snapshotOf(
      {
        [`${A}/projects/-p/${SID}.jsonl`]: '{}\n',
        [`${A}/todos/t1.json`]: '[1]',
        [`${B}/todos/t1.json`]: '[2]',
        [`${B}/file-history/${SID}/h@v1`]: 'v1',
      },
      { folders: ['todos', 'file-history'] },
    );
    const plan = planShare(snapshot, CTX);
    expect(validatePlan(plan)).toEqual([]);
    expect(plan.sharedDirs).toEqual({
      projects: SHARED,
      todos: '/h/.claude-shared/todos',
      'file-history': '/h/.claude-shared/file-history',
    });
    const of = (type: string) =>
      plan.operations
        .filter((o) => o.type === type)
        .map((o) => (o.type === 'rename' ? o.from : o.type === 'symlink' ? `${o.path} -> ${o.target}` : ''));
    expect(of('rename')).toEqual([`${A}/projects`, `${A}/todos`, `${B}/todos`, `${B}/file-history`]);
    expect(of('symlink')).toEqual([
      `${A}/projects -> ${SHARED}`,
      `${B}/projects -> ${SHARED}`,
      `${A}/todos -> /h/.claude-shared/todos`,
      `${B}/todos -> /h/.claude-shared/todos`,
      `${A}/file-history -> /h/.claude-shared/file-history`,
      `${B}/file-history -> /h/.claude-shared/file-history`,
    ]);
    // todos/t1.json differs: never overwritten, the other version kept aside.
    expect(plan.warnings.map((w) => [w.code, w.path])).toEqual([['kept-aside', '/h/.claude-shared/todos/t1.json']]);
  });
});

describe('inspect on the real disk', () => {
  it('plans the fixture the same way on node:fs as on memfs', async () => {
    const { copyFixture } = await import('../support/fixture.js');
    const { defaultFileSystem } = await import('../../src/fs/node.js');
    const { dir, cleanup } = copyFixture();
    try {
      const real = planShare(
        await inspect({
          ...fxOptions(defaultFileSystem()),
          home: dir,
          cwd: dir,
          sharedDir: `${dir}/shared/projects`,
          accounts: ['acct-a', 'acct-b', 'acct-c'].map((a) => `${dir}/${a}`),
        }),
        CTX,
      );
      const { fs } = await fixtureOnMemfs(FX);
      const mem = planShare(await inspect(fxOptions(fs)), CTX);
      const shape = (plan: typeof real, root: string) =>
        plan.operations.map((o) => {
          const where =
            o.type === 'mkdir' ||
            o.type === 'symlink' ||
            o.type === 'writeFile' ||
            o.type === 'unlinkSymlink' ||
            o.type === 'removeFile' ||
            o.type === 'removeDir'
              ? o.path
              : o.to;
          return [o.type, o.reason, where.slice(root.length)];
        });
      const realDir = realpathSync(dir);
      expect(real.roots.every((r) => r.startsWith(realDir))).toBe(true);
      expect(shape(real, realDir)).toEqual(shape(mem, FX));
      expect(real.conflicts.map((c) => c.sessionId)).toEqual(mem.conflicts.map((c) => c.sessionId));
      expect(validatePlan(real)).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
