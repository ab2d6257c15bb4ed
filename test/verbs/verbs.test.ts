import { describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';
import { backup, linkShared, mergeInto, rollback, share } from '../../src/verbs/verbs.js';
import { A, applyForTest, B, inspectOptions, makeDisk, NOW, SHARED, SID } from '../plan/support.js';

const spec = {
  [`${A}/projects/-p/${SID}.jsonl`]: '{"timestamp":"2026-01-01T00:00:00Z"}\n',
  [`${B}/settings.json`]: '{}',
};

describe('the async verbs', () => {
  it('inspect, then return the plan of their kind, with the id and time given', async () => {
    const { fs } = await makeDisk(spec);
    const options = { ...inspectOptions(fs), id: 'given', now: '2026-11-27T06:00:00Z' };
    const plans = await Promise.all([
      mergeInto(options),
      backup(options),
      linkShared(options),
      share(options),
      rollback(options),
    ]);
    expect(plans.map((p) => p.kind)).toEqual(['merge', 'backup', 'link', 'share', 'rollback']);
    for (const p of plans) {
      expect(p.id).toBe('given');
      expect(p.createdAt).toBe(new Date(NOW).toISOString());
      expect(library.validatePlan(p)).toEqual([]);
    }
    // The async verb and the pure planner agree.
    const snapshot = await library.inspect(inspectOptions(fs));
    expect(plans[3]).toEqual(library.planShare(snapshot, { id: 'given', now: NOW }));
  });

  it('default the id and the time', async () => {
    const { fs } = await makeDisk(spec);
    const plan = await mergeInto(inspectOptions(fs));
    expect(plan.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(plan.createdAt))).toBe(false);
  });

  it('need the accounts named before sharing anything (opt-in per account)', async () => {
    const { fs } = await makeDisk(spec);
    const { accounts: _a, ...unnamed } = inspectOptions(fs);
    for (const verb of [mergeInto, linkShared, share]) {
      await expect(verb(unnamed)).rejects.toMatchObject({ code: 'EINVALID_OPTION' });
    }
    const all = await share({ ...unnamed, discover: true });
    expect(all.kind).toBe('share');
  });

  it('refuse an invalid time and forbidden folders', async () => {
    const { fs } = await makeDisk(spec);
    await expect(share({ ...inspectOptions(fs), now: 'yesterday' })).rejects.toMatchObject({ code: 'EINVALID_OPTION' });
    await expect(share({ ...inspectOptions(fs), folders: ['sessions'] })).rejects.toMatchObject({
      code: 'EFORBIDDEN_FOLDER',
    });
  });

  it('rollback reads the backup trees it needs to carry sessions back', async () => {
    const { fs } = await makeDisk(spec);
    await applyForTest(fs, await share({ ...inspectOptions(fs), now: NOW }));
    const later = `${SHARED}/-p/22222222-2222-4222-8222-222222222222.jsonl`;
    await fs.writeFile(later, '{}\n', { mode: 0o600 });
    await fs.utimes(later, NOW + 5000, NOW + 5000);
    // Claude Code's TUI, run with A, recorded its prompt in A's history.
    await fs.writeFile(
      `${A}/history.jsonl`,
      `${JSON.stringify({ display: 'hi', timestamp: NOW + 5000, project: '/p', sessionId: '22222222-2222-4222-8222-222222222222' })}\n`,
      { mode: 0o600 },
    );
    const plan = await rollback({ ...inspectOptions(fs), carry: 'own', now: NOW + 10_000 });
    expect(plan.operations.filter((o) => o.reason === 'carry')).toEqual([
      expect.objectContaining({ from: later, to: `${A}/projects/-p/22222222-2222-4222-8222-222222222222.jsonl` }),
    ]);
  });

  it('are exported from the package entry point with the pure planners', () => {
    for (const name of [
      'inspect',
      'planMerge',
      'planBackup',
      'planLink',
      'planRollback',
      'planShare',
      'explainMerge',
      'mergeInto',
      'backup',
      'linkShared',
      'rollback',
      'share',
      'describePlan',
      'validatePlan',
    ]) {
      expect(typeof (library as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
