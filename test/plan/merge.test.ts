import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect.js';
import { deriveForkSessionId } from '../../src/plan/fingerprint.js';
import { explainMerge, planMerge } from '../../src/plan/merge.js';
import { validatePlan } from '../../src/plan/validate.js';
import {
  A,
  applyForTest,
  B,
  C,
  CONFLICTS,
  CTX,
  fileState,
  inspectOptions,
  rec,
  SHARED,
  SID,
  SID2,
  sha,
  snapshotOf,
  T0,
  withoutIds,
} from './support.js';

const P = '-home-dev-app';
const t = (h: number) => T0 + h * 3_600_000;
const base = rec(1, t(1)) + rec(2, t(2));
const longer = base + rec(3, t(3));
const divA = base + rec(3, t(5), 'a');
const divB = base + rec(3, t(6), 'b');

describe('planMerge: one file in several places', () => {
  it('copies a file absent from the shared folder, keeping mtime and mode, after creating its folders', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: { content: base, mtimeMs: t(2), mode: 0o640 },
    });
    const plan = planMerge(snapshot, CTX);
    expect(withoutIds(plan.operations)).toEqual([
      { type: 'mkdir', reason: 'parent', path: '/h/.claude-shared', mode: 0o700, expect: { type: 'absent' } },
      { type: 'mkdir', reason: 'parent', path: SHARED, mode: 0o700, expect: { type: 'absent' } },
      {
        type: 'mkdir',
        reason: 'new',
        path: `${SHARED}/${P}`,
        mode: 0o700,
        expect: { type: 'absent' },
        account: A,
      },
      {
        type: 'copyFile',
        reason: 'new',
        from: `${A}/projects/${P}/${SID}.jsonl`,
        to: `${SHARED}/${P}/${SID}.jsonl`,
        expectFrom: fileState(base, { mtimeMs: t(2), mode: 0o640 }),
        expectTo: { type: 'absent' },
        account: A,
        sessionId: SID,
      },
    ]);
    expect(plan.operations.map((o) => o.id)).toEqual(['op-0001', 'op-0002', 'op-0003', 'op-0004']);
    expect(plan.conflicts).toEqual([]);
    expect(validatePlan(plan)).toEqual([]);
  });

  it('copies identical copies once and counts the other as already there', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
      [`${B}/projects/${P}/${SID}.jsonl`]: base,
    });
    const plan = planMerge(snapshot, CTX);
    const copies = plan.operations.filter((o) => o.type === 'copyFile');
    expect(copies).toEqual([expect.objectContaining({ from: `${A}/projects/${P}/${SID}.jsonl`, reason: 'new' })]);
    const ledger = explainMerge(snapshot, CTX).filter((e) => e.type === 'file');
    expect(ledger.map((e) => [e.account, e.outcome])).toEqual([
      [A, 'copied'],
      [B, 'already-there'],
    ]);
  });

  it('does nothing for a file already identical in the shared folder', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
      [`${SHARED}/${P}/${SID}.jsonl`]: base,
    });
    expect(planMerge(snapshot, CTX).operations).toEqual([]);
  });

  it('prefers the longer copy when one is a prefix of the other (longer in the second account)', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: { content: base, mtimeMs: t(9) },
      [`${B}/projects/${P}/${SID}.jsonl`]: { content: longer, mtimeMs: t(3) },
    });
    const plan = planMerge(snapshot, CTX);
    const copies = plan.operations.filter((o) => o.type === 'copyFile');
    expect(withoutIds(copies)).toEqual([
      {
        type: 'copyFile',
        reason: 'longer',
        from: `${B}/projects/${P}/${SID}.jsonl`,
        to: `${SHARED}/${P}/${SID}.jsonl`,
        expectFrom: fileState(longer, { mtimeMs: t(3), hash: true }),
        expectTo: { type: 'absent' },
        account: B,
        sessionId: SID,
      },
    ]);
    expect(plan.conflicts).toEqual([]);
    const ledger = explainMerge(snapshot, CTX).filter((e) => e.type === 'file');
    expect(ledger.map((e) => [e.account, e.outcome])).toEqual([
      [A, 'superseded'],
      [B, 'copied'],
    ]);
  });

  it('prefers the longer copy the other way round too (longer in the first account)', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: longer,
      [`${B}/projects/${P}/${SID}.jsonl`]: base,
    });
    const copies = planMerge(snapshot, CTX).operations.filter((o) => o.type === 'copyFile');
    expect(copies.map((o) => o.type === 'copyFile' && o.from)).toEqual([`${A}/projects/${P}/${SID}.jsonl`]);
  });

  it('moves a shorter copy in the shared folder aside before copying the longer one', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}/${SID}.jsonl`]: base,
      [`${A}/projects/${P}/${SID}.jsonl`]: longer,
    });
    const plan = planMerge(snapshot, CTX);
    const aside = `${CONFLICTS}/projects/${P}/${SID}.${sha(base).slice(0, 12)}.jsonl`;
    expect(withoutIds(plan.operations)).toEqual([
      { type: 'mkdir', reason: 'parent', path: CONFLICTS, mode: 0o700, expect: { type: 'absent' } },
      { type: 'mkdir', reason: 'parent', path: `${CONFLICTS}/projects`, mode: 0o700, expect: { type: 'absent' } },
      { type: 'mkdir', reason: 'parent', path: `${CONFLICTS}/projects/${P}`, mode: 0o700, expect: { type: 'absent' } },
      {
        type: 'rename',
        reason: 'superseded',
        from: `${SHARED}/${P}/${SID}.jsonl`,
        to: aside,
        expectFrom: fileState(base, { hash: true }),
        expectTo: { type: 'absent' },
        sessionId: SID,
      },
      {
        type: 'copyFile',
        reason: 'longer',
        from: `${A}/projects/${P}/${SID}.jsonl`,
        to: `${SHARED}/${P}/${SID}.jsonl`,
        expectFrom: fileState(longer, { hash: true }),
        expectTo: { type: 'absent' },
        account: A,
        sessionId: SID,
      },
    ]);
    expect(validatePlan(plan)).toEqual([]);
  });

  it('leaves a longer copy in the shared folder alone', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}/${SID}.jsonl`]: longer,
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
    });
    expect(planMerge(snapshot, CTX).operations).toEqual([]);
    expect(explainMerge(snapshot, CTX).find((e) => e.type === 'file')?.outcome).toBe('superseded');
  });
});

describe('planMerge: diverged transcripts', () => {
  const KEEP = { ...CTX, onDiverged: 'keep-newest' as const };
  const spec = {
    // A's copy was modified last, but B's last record is newer: the record decides, not the mtime.
    [`${A}/projects/${P}/${SID}.jsonl`]: { content: divA, mtimeMs: t(20) },
    [`${B}/projects/${P}/${SID}.jsonl`]: { content: divB, mtimeMs: t(6) },
  };
  const asideA = `${CONFLICTS}/projects/${P}/${SID}.${sha(divA).slice(0, 12)}.jsonl`;

  it('keeps the copy whose last record is newest and the other in the conflicts folder, and reports it', async () => {
    const { snapshot } = await snapshotOf(spec);
    expect(snapshot.accounts[0]?.folders.projects?.entries.at(-1)?.lastRecordMs).toBe(t(5));
    const plan = planMerge(snapshot, KEEP);
    const moves = plan.operations.filter((o) => o.type !== 'mkdir');
    expect(withoutIds(moves)).toEqual([
      {
        type: 'copyFile',
        reason: 'newest-diverged',
        from: `${B}/projects/${P}/${SID}.jsonl`,
        to: `${SHARED}/${P}/${SID}.jsonl`,
        expectFrom: fileState(divB, { mtimeMs: t(6), hash: true }),
        expectTo: { type: 'absent' },
        account: B,
        sessionId: SID,
      },
      {
        type: 'copyFile',
        reason: 'conflict-kept',
        from: `${A}/projects/${P}/${SID}.jsonl`,
        to: asideA,
        expectFrom: fileState(divA, { mtimeMs: t(20), hash: true }),
        expectTo: { type: 'absent' },
        account: A,
        sessionId: SID,
      },
    ]);
    expect(plan.conflicts).toEqual([
      {
        code: 'diverged',
        message: expect.stringContaining('newest'),
        sessionId: SID,
        paths: [`${A}/projects/${P}/${SID}.jsonl`, `${B}/projects/${P}/${SID}.jsonl`],
        resolution: 'kept-newest',
        kept: `${B}/projects/${P}/${SID}.jsonl`,
        keptAside: [asideA],
      },
    ]);
  });

  it('moves a losing copy out of the shared folder into the conflicts folder', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}/${SID}.jsonl`]: divA,
      [`${A}/projects/${P}/${SID}.jsonl`]: divB,
    });
    const plan = planMerge(snapshot, KEEP);
    const moves = plan.operations.filter((o) => o.type !== 'mkdir');
    expect(moves.map((o) => [o.type, o.reason])).toEqual([
      ['rename', 'conflict-kept'],
      ['copyFile', 'newest-diverged'],
    ]);
    expect(moves[0]).toMatchObject({ from: `${SHARED}/${P}/${SID}.jsonl`, to: asideA });
    expect(plan.conflicts[0]).toMatchObject({ resolution: 'kept-newest', keptAside: [asideA] });
  });

  it('does not move the shared copy when it is the newest', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}/${SID}.jsonl`]: divB,
      [`${A}/projects/${P}/${SID}.jsonl`]: divA,
    });
    const moves = planMerge(snapshot, KEEP).operations.filter((o) => o.type !== 'mkdir');
    expect(moves.map((o) => [o.type, o.reason, o.type === 'copyFile' ? o.to : ''])).toEqual([
      ['copyFile', 'conflict-kept', asideA],
    ]);
  });

  it('forks the other copy under a derived session id with onDiverged: fork', async () => {
    const { snapshot } = await snapshotOf(spec);
    const plan = planMerge(snapshot, { ...CTX, onDiverged: 'fork' });
    const newId = deriveForkSessionId(SID, sha(divA));
    expect(newId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const moves = plan.operations.filter((o) => o.type !== 'mkdir');
    expect(withoutIds(moves)[0]).toEqual({
      type: 'forkSession',
      reason: 'fork',
      from: `${A}/projects/${P}/${SID}.jsonl`,
      to: `${SHARED}/${P}/${newId}.jsonl`,
      oldSessionId: SID,
      newSessionId: newId,
      expectFrom: fileState(divA, { mtimeMs: t(20), hash: true }),
      expectTo: { type: 'absent' },
      sessionId: SID,
      account: A,
    });
    expect(moves.map((o) => o.reason)).toEqual(['fork', 'newest-diverged']);
    expect(plan.conflicts[0]).toMatchObject({ resolution: 'forked', keptAside: [`${SHARED}/${P}/${newId}.jsonl`] });
  });

  it('forks by default and names, in the conflict, which copy gets which id', async () => {
    const { snapshot } = await snapshotOf(spec);
    const plan = planMerge(snapshot, CTX);
    const newId = deriveForkSessionId(SID, sha(divA));
    expect(plan.operations.filter((o) => o.type !== 'mkdir').map((o) => [o.type, o.reason])).toEqual([
      ['forkSession', 'fork'],
      ['copyFile', 'newest-diverged'],
    ]);
    const conflict = plan.conflicts[0];
    expect(conflict).toMatchObject({
      resolution: 'forked',
      kept: `${B}/projects/${P}/${SID}.jsonl`,
      forks: [{ from: `${A}/projects/${P}/${SID}.jsonl`, sessionId: newId, path: `${SHARED}/${P}/${newId}.jsonl` }],
    });
    expect(conflict?.message).toContain(`${B}/projects/${P}/${SID}.jsonl keeps the id ${SID}`);
    expect(conflict?.message).toContain(`${A}/projects/${P}/${SID}.jsonl becomes session ${newId}`);
    expect(conflict?.message).not.toContain('conflicts folder');
  });

  it("copies the losing copy's sidecar folder under the fork's id, and plans nothing once done", async () => {
    const subA = rec(1, t(4), 'sub-a');
    const { snapshot, fs } = await snapshotOf({
      ...spec,
      [`${A}/projects/${P}/${SID}/subagents/agent-a1.jsonl`]: { content: subA, mtimeMs: t(4) },
      [`${A}/projects/${P}/${SID}/tool-results/r1.txt`]: 'out-a',
      [`${B}/projects/${P}/${SID}/subagents/agent-b1.jsonl`]: rec(1, t(6), 'sub-b'),
    });
    const newId = deriveForkSessionId(SID, sha(divA));
    const plan = planMerge(snapshot, CTX);
    expect(validatePlan(plan)).toEqual([]);
    const sidecars = plan.operations.filter((o) => o.reason === 'fork-sidecar');
    expect(sidecars.map((o) => (o.type === 'copyFile' ? [o.from, o.to] : []))).toEqual([
      [`${A}/projects/${P}/${SID}/subagents/agent-a1.jsonl`, `${SHARED}/${P}/${newId}/subagents/agent-a1.jsonl`],
      [`${A}/projects/${P}/${SID}/tool-results/r1.txt`, `${SHARED}/${P}/${newId}/tool-results/r1.txt`],
    ]);
    await applyForTest(fs, plan);
    expect(new TextDecoder().decode(await fs.readFile(`${SHARED}/${P}/${newId}/subagents/agent-a1.jsonl`))).toBe(subA);
    // B's (the winner's) sidecar is not copied under the fork; both stay under the original id.
    await expect(fs.lstat(`${SHARED}/${P}/${newId}/subagents/agent-b1.jsonl`)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect((await fs.lstat(`${SHARED}/${P}/${SID}/subagents/agent-b1.jsonl`)).type).toBe('file');
    expect((await fs.lstat(`${SHARED}/${P}/${SID}/subagents/agent-a1.jsonl`)).type).toBe('file');
    const again = planMerge(await inspect(inspectOptions(fs)), CTX);
    expect(again.operations).toEqual([]);
  });

  it('forks a losing copy already in the shared folder with the sidecars found there', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}/${SID}.jsonl`]: divA,
      [`${SHARED}/${P}/${SID}/subagents/agent-s1.jsonl`]: rec(1, t(4), 'sub-s'),
      [`${A}/projects/${P}/${SID}.jsonl`]: divB,
    });
    const newId = deriveForkSessionId(SID, sha(divA));
    const plan = planMerge(snapshot, CTX);
    expect(validatePlan(plan)).toEqual([]);
    const moves = plan.operations.filter((o) => o.type !== 'mkdir');
    expect(moves.map((o) => [o.type, o.reason, 'to' in o ? o.to : ''])).toEqual([
      ['forkSession', 'fork', `${SHARED}/${P}/${newId}.jsonl`],
      ['copyFile', 'fork-sidecar', `${SHARED}/${P}/${newId}/subagents/agent-s1.jsonl`],
      ['rename', 'conflict-kept', `${CONFLICTS}/projects/${P}/${SID}.${sha(divA).slice(0, 12)}.jsonl`],
      ['copyFile', 'newest-diverged', `${SHARED}/${P}/${SID}.jsonl`],
    ]);
  });

  it('takes fork ids from an injected generator', async () => {
    const { snapshot } = await snapshotOf(spec);
    const plan = planMerge(snapshot, { ...CTX, onDiverged: 'fork', forkSessionId: () => SID2 });
    expect(plan.operations.find((o) => o.type === 'forkSession')).toMatchObject({ newSessionId: SID2 });
  });

  it('forks, then plans nothing once the fork exists', async () => {
    const { snapshot, fs } = await snapshotOf(spec);
    const plan = planMerge(snapshot, { ...CTX, onDiverged: 'fork' });
    await applyForTest(fs, plan);
    const again = planMerge(await inspect(inspectOptions(fs)), { ...CTX, onDiverged: 'fork' });
    expect(again.operations).toEqual([]);
    expect(again.conflicts).toEqual([]);
    const forked = new TextDecoder().decode(
      await fs.readFile(`${SHARED}/${P}/${deriveForkSessionId(SID, sha(divA))}.jsonl`),
    );
    expect(forked).not.toContain(SID);
    expect(forked.length).toBe(divA.length);
  });

  it('refuses with a typed ECONFLICT listing the sessions with onDiverged: refuse', async () => {
    const { snapshot } = await snapshotOf(spec);
    let error: unknown;
    try {
      planMerge(snapshot, { ...CTX, onDiverged: 'refuse' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ECONFLICT', message: expect.stringContaining(SID) });
    expect((error as { details: unknown[] }).details).toHaveLength(1);
  });

  it('applies with keep-newest, then plans nothing and reports nothing', async () => {
    const { snapshot, fs } = await snapshotOf(spec);
    await applyForTest(fs, planMerge(snapshot, KEEP));
    const again = planMerge(await inspect(inspectOptions(fs)), KEEP);
    expect(again.operations).toEqual([]);
    expect(again.conflicts).toEqual([]);
    // refuse has nothing left to refuse either.
    expect(planMerge(await inspect(inspectOptions(fs)), { ...CTX, onDiverged: 'refuse' }).operations).toEqual([]);
  });

  it('keeps every maximal copy of a three-way divergence and drops only prefixes', async () => {
    const { snapshot } = await snapshotOf(
      {
        [`${A}/projects/${P}/${SID}.jsonl`]: divA,
        [`${B}/projects/${P}/${SID}.jsonl`]: divB,
        [`${C}/projects/${P}/${SID}.jsonl`]: base,
      },
      { accounts: [A, B, C] },
    );
    const plan = planMerge(snapshot, KEEP);
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0]?.paths).toHaveLength(3);
    const ledger = explainMerge(snapshot, KEEP).filter((e) => e.type === 'file');
    expect(ledger.map((e) => [e.account, e.outcome])).toEqual([
      [A, 'kept-aside'],
      [B, 'copied'],
      [C, 'superseded'],
    ]);
  });
});

describe('planMerge: sidecars, memory, caches, links', () => {
  it('merges a session sidecar folder file by file', async () => {
    const sub = (id: string) => `${P}/${SID}/subagents/agent-${id}.jsonl`;
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
      [`${A}/projects/${sub('a1')}`]: rec(1, t(1), 'x'),
      [`${A}/projects/${P}/${SID}/custom-title.json`]: '{"title":"A"}',
      [`${B}/projects/${P}/${SID}.jsonl`]: longer,
      [`${B}/projects/${sub('b1')}`]: rec(1, t(2), 'y'),
      [`${B}/projects/${P}/${SID}/tool-results/r.txt`]: 'out',
    });
    const plan = planMerge(snapshot, CTX);
    const targets = plan.operations
      .filter((o) => o.type === 'copyFile')
      .map((o) => (o.type === 'copyFile' ? o.to : ''));
    expect(targets).toEqual([
      `${SHARED}/${P}/${SID}.jsonl`,
      `${SHARED}/${P}/${SID}/custom-title.json`,
      `${SHARED}/${sub('a1')}`,
      `${SHARED}/${sub('b1')}`,
      `${SHARED}/${P}/${SID}/tool-results/r.txt`,
    ]);
    const mkdirs = plan.operations.filter((o) => o.type === 'mkdir').map((o) => (o.type === 'mkdir' ? o.path : ''));
    for (const dir of [`${SHARED}/${P}/${SID}`, `${SHARED}/${P}/${SID}/subagents`]) expect(mkdirs).toContain(dir);
    expect(mkdirs.indexOf(`${SHARED}/${P}/${SID}`)).toBeLessThan(mkdirs.indexOf(`${SHARED}/${P}/${SID}/subagents`));
    expect(
      plan.operations.find((o) => o.type === 'copyFile' && o.to.endsWith(`${SID}/custom-title.json`)),
    ).toMatchObject({
      sessionId: SID,
    });
  });

  it('never overwrites memory notes: a differing copy is kept aside and warned about', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}/memory/MEMORY.md`]: '- shared\n',
      [`${A}/projects/${P}/memory/MEMORY.md`]: '- mine\n',
      [`${A}/projects/${P}/memory/new.md`]: 'new note\n',
    });
    const plan = planMerge(snapshot, CTX);
    const copies = plan.operations.filter((o) => o.type === 'copyFile');
    expect(copies.map((o) => [o.reason, o.type === 'copyFile' ? o.to : ''])).toEqual([
      ['conflict-kept', `${CONFLICTS}/projects/${P}/memory/MEMORY.${sha('- mine\n').slice(0, 12)}.md`],
      ['new', `${SHARED}/${P}/memory/new.md`],
    ]);
    expect(plan.operations.some((o) => o.type === 'rename')).toBe(false);
    expect(plan.warnings.map((w) => w.code)).toEqual(['kept-aside']);
    expect(plan.conflicts).toEqual([]);
  });

  it('never copies sessions-index.json, and says so', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/sessions-index.json`]: '{"a":1}',
      [`${B}/projects/${P}/sessions-index.json`]: '{"b":2}',
      [`${SHARED}/${P}/sessions-index.json`]: '{"s":0}',
    });
    const plan = planMerge(snapshot, CTX);
    expect(plan.operations.filter((o) => o.type !== 'mkdir')).toEqual([]);
    expect(plan.warnings.map((w) => [w.code, w.path])).toEqual([
      ['sessions-index-skipped', `${A}/projects/${P}/sessions-index.json`],
      ['sessions-index-skipped', `${B}/projects/${P}/sessions-index.json`],
    ]);
    expect(
      explainMerge(snapshot, CTX)
        .filter((e) => e.type === 'file')
        .map((e) => e.outcome),
    ).toEqual(['skipped', 'skipped']);
  });

  it('does not follow links inside an account folder', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
      '/elsewhere/secret/x.jsonl': 'secret',
      [`${A}/projects/outside`]: { link: '/elsewhere/secret' },
    });
    expect(snapshot.accounts[0]?.folders.projects?.entries.map((e) => e.path)).toEqual([
      P,
      `${P}/${SID}.jsonl`,
      'outside',
    ]);
    const plan = planMerge(snapshot, CTX);
    expect(JSON.stringify(plan.operations)).not.toContain('elsewhere');
    expect(plan.warnings).toEqual([
      expect.objectContaining({ code: 'symlink-not-followed', path: `${A}/projects/outside` }),
    ]);
  });

  it('lets a folder win over a file of the same name and keeps the file where it is', async () => {
    const { snapshot } = await snapshotOf({
      [`${A}/projects/${P}/notes`]: 'a file',
      [`${B}/projects/${P}/notes/n.md`]: 'in a folder',
    });
    const plan = planMerge(snapshot, CTX);
    expect(plan.operations.filter((o) => o.type === 'copyFile')).toEqual([
      expect.objectContaining({ to: `${SHARED}/${P}/notes/n.md` }),
    ]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['type-clash']);
    expect(explainMerge(snapshot, CTX).find((e) => e.account === A && e.type === 'file')?.outcome).toBe('skipped');
  });

  it('skips a folder whose name is taken by a file in the shared folder, with everything in it', async () => {
    const { snapshot } = await snapshotOf({
      [`${SHARED}/${P}`]: 'a file where a project folder should be',
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
    });
    const plan = planMerge(snapshot, CTX);
    expect(plan.operations.filter((o) => o.type !== 'mkdir')).toEqual([]);
    expect(explainMerge(snapshot, CTX).map((e) => e.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('takes nothing from an account already linked, and reports a link elsewhere', async () => {
    const { snapshot } = await snapshotOf(
      {
        [`${SHARED}/${P}/${SID}.jsonl`]: base,
        [`${A}/projects`]: { link: SHARED },
        [`${B}/projects`]: { link: '/data/other' },
        '/data/other/x/y.jsonl': 'y',
        [`${C}/projects/${P}/${SID2}.jsonl`]: base,
      },
      { accounts: [A, B, C] },
    );
    const plan = planMerge(snapshot, CTX);
    expect(
      plan.operations.filter((o) => o.type === 'copyFile').map((o) => (o.type === 'copyFile' ? o.from : '')),
    ).toEqual([`${C}/projects/${P}/${SID2}.jsonl`]);
    expect(plan.conflicts).toEqual([
      expect.objectContaining({
        code: 'link-elsewhere',
        paths: [`${B}/projects`, '/data/other'],
        resolution: 'skipped',
      }),
    ]);
  });
});

describe('planMerge: an unusable shared folder', () => {
  it('reports it, plans nothing, and accounts every source as skipped', async () => {
    const { snapshot } = await snapshotOf({
      '/h/.claude-shared/projects': { link: '/h/gone' },
      [`${A}/projects/${P}/${SID}.jsonl`]: base,
    });
    expect(snapshot.shared.projects?.kind).toBe('dangling-symlink');
    const plan = planMerge(snapshot, CTX);
    expect(plan.operations).toEqual([]);
    expect(plan.conflicts.map((c) => [c.code, c.paths])).toEqual([['dangling-link', [SHARED]]]);
    expect(explainMerge(snapshot, CTX).map((e) => [e.outcome, e.note])).toEqual([
      ['skipped', 'shared folder unusable'],
      ['skipped', 'shared folder unusable'],
    ]);
  });
});
