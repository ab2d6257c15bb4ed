import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/inspect/inspect.js';
import type { Snapshot } from '../../src/inspect/types.js';
import { pathRulesOf } from '../../src/layout/paths.js';
import { explainMerge, planMerge } from '../../src/plan/merge.js';
import { planShare } from '../../src/plan/share.js';
import type { Operation } from '../../src/plan/types.js';
import { validatePlan } from '../../src/plan/validate.js';
import { dumpTree } from '../support/tree.js';
import { A, applyForTest, B, C, CTX, inspectOptions, makeDisk, rec, SHARED, type Spec, sha, T0 } from './support.js';

const IDS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
];
const PROJECTS = ['-p1', '-p2'];
/** Two histories that share their first two records: copies cut from them are identical, prefixes or diverged. */
const BRANCHES = [
  [rec(1, T0), rec(2, T0 + 1000), rec(3, T0 + 2000, 'x'), rec(4, T0 + 3000, 'x')],
  [rec(1, T0), rec(2, T0 + 1000), rec(3, T0 + 5000, 'y')],
];

const transcript = fc
  .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 4 }))
  .map(([branch, n]) => (BRANCHES[branch] ?? []).slice(0, n).join(''));
const mtime = fc.constantFrom(T0, T0 + 10_000, T0 + 20_000);

/** One place's tree (an account or the shared folder): relative path -> spec. */
const tree = fc
  .record({
    sessions: fc.subarray(
      PROJECTS.flatMap((p) => IDS.map((id) => `${p}/${id}.jsonl`)),
      { maxLength: 4 },
    ),
    contents: fc.array(fc.tuple(transcript, mtime), { minLength: 4, maxLength: 4 }),
    subagent: fc.option(fc.tuple(fc.constantFrom(...IDS), transcript), { nil: undefined }),
    memory: fc.option(fc.constantFrom('- note a\n', '- note b\n'), { nil: undefined }),
    index: fc.boolean(),
    link: fc.boolean(),
  })
  .map((t) => {
    const files: Record<string, Spec> = {};
    t.sessions.forEach((rel, i) => {
      const [content, mtimeMs] = t.contents[i] ?? ['', T0];
      files[rel] = { content, mtimeMs };
    });
    if (t.subagent) files[`-p1/${t.subagent[0]}/subagents/agent-a1.jsonl`] = t.subagent[1];
    if (t.memory) files['-p1/memory/MEMORY.md'] = t.memory;
    if (t.index) files['-p2/sessions-index.json'] = '{"entries":[]}';
    if (t.link) files['-p2/elsewhere'] = { link: '/outside' };
    return files;
  });

const disk = fc
  .record({ accounts: fc.array(tree, { minLength: 2, maxLength: 3 }), shared: fc.option(tree, { nil: undefined }) })
  .map(({ accounts, shared }) => {
    const spec: Record<string, Spec> = {};
    const roots = [A, B, C].slice(0, accounts.length);
    accounts.forEach((files, i) => {
      spec[`${roots[i]}/settings.json`] = '{}';
      for (const [rel, s] of Object.entries(files)) spec[`${roots[i]}/projects/${rel}`] = s;
    });
    for (const [rel, s] of Object.entries(shared ?? {})) {
      // The shared folder never holds links or caches in these runs; it may hold transcripts and notes.
      if (typeof s === 'object' && 'link' in s) continue;
      spec[`${SHARED}/${rel}`] = s;
    }
    return { spec, accounts: roots };
  });

async function snapshotFor(spec: Record<string, Spec>, accounts: string[]) {
  const { fs } = await makeDisk(spec);
  return { fs, snapshot: await inspect(inspectOptions(fs, { accounts })) };
}

function sourcesOf(snapshot: Snapshot): string[] {
  return snapshot.accounts.flatMap((a) => {
    const f = a.folders.projects;
    return f?.kind === 'directory' ? f.entries.map((e) => `${f.path}/${e.path}`) : [];
  });
}

function pathsOf(op: Operation): string[] {
  switch (op.type) {
    case 'mkdir':
    case 'unlinkSymlink':
    case 'removeFile':
    case 'removeDir':
      return [op.path];
    case 'symlink':
      return [op.path, op.target];
    case 'writeFile':
      return op.backupTo === undefined ? [op.path] : [op.path, op.backupTo];
    default:
      return [op.from, op.to];
  }
}

const RUNS = { numRuns: 60, seed: 4242 };

describe('planning properties over random account trees', () => {
  it('accounts for every source entry exactly once, and every read of an account by one entry', async () => {
    await fc.assert(
      fc.asyncProperty(disk, async ({ spec, accounts }) => {
        const { snapshot } = await snapshotFor(spec, accounts);
        const ledger = explainMerge(snapshot, CTX);
        const plan = planMerge(snapshot, CTX);
        expect(ledger.map((e) => e.source).sort()).toEqual(sourcesOf(snapshot).sort());
        const byId = new Map(plan.operations.map((o) => [o.id, o]));
        for (const e of ledger) {
          if (e.operationId === undefined) {
            expect(['already-there', 'superseded', 'skipped']).toContain(e.outcome);
            continue;
          }
          const op = byId.get(e.operationId);
          if (e.type === 'directory') expect(op?.type).toBe('mkdir');
          else expect(op && 'from' in op ? op.from : undefined).toBe(e.source);
        }
        // A fork's sidecar copies read files that the merge (named in the ledger) copies too.
        const reads = plan.operations.filter(
          (o) =>
            (o.type === 'copyFile' || o.type === 'forkSession') &&
            o.reason !== 'fork-sidecar' &&
            !o.from.startsWith(SHARED),
        );
        const referenced = ledger.filter((e) => e.type === 'file' && e.operationId !== undefined);
        expect(referenced.map((e) => e.operationId).sort()).toEqual(reads.map((o) => o.id).sort());
      }),
      RUNS,
    );
  });

  it('names no path outside the roots, and passes validation', async () => {
    await fc.assert(
      fc.asyncProperty(
        disk,
        fc.constantFrom('keep-newest' as const, 'fork' as const),
        async ({ spec, accounts }, onDiverged) => {
          const { snapshot } = await snapshotFor(spec, accounts);
          const plan = planShare(snapshot, { ...CTX, onDiverged });
          for (const op of plan.operations) {
            for (const p of pathsOf(op)) expect(plan.roots.some((r) => pathRulesOf(plan).isInside(r, p))).toBe(true);
          }
          expect(validatePlan(plan)).toEqual([]);
          expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
          expect(planShare(JSON.parse(JSON.stringify(snapshot)), { ...CTX, onDiverged })).toEqual(plan);
        },
      ),
      RUNS,
    );
  });

  it('loses no transcript byte when applied, and plans nothing afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(disk, async ({ spec, accounts }) => {
        const { fs, snapshot } = await snapshotFor(spec, accounts);
        const originals = Object.entries(spec).flatMap(([path, s]) => {
          if (!path.endsWith('.jsonl') || (typeof s === 'object' && !('content' in s))) return [];
          return [typeof s === 'string' ? s : s.content];
        });
        await applyForTest(fs, planShare(snapshot, CTX));
        // Every transcript's content is, in the shared parent alone, present or a prefix of something present.
        const kept: string[] = [];
        for (const [rel, e] of Object.entries(await dumpTree(fs, '/h/.claude-shared'))) {
          if (e.type === 'file' && rel.endsWith('.jsonl')) {
            kept.push(new TextDecoder().decode(await fs.readFile(`/h/.claude-shared/${rel}`)));
          }
        }
        for (const text of originals) expect(kept.some((k) => k.startsWith(text))).toBe(true);
        const after = await inspect(inspectOptions(fs, { accounts }));
        const again = planShare(after, CTX);
        expect(again.operations).toEqual([]);
        expect(again.conflicts).toEqual([]);
        expect(sha(JSON.stringify(after))).not.toBe(sha(JSON.stringify(snapshot)));
      }),
      { ...RUNS, numRuns: 40 },
    );
  });
});
