import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { generateTranscript } from '../../../src/demo/transcript.js';
import type { FileSystem } from '../../../src/fs/types.js';
import type { ExpectedState, Operation, Plan } from '../../../src/plan/types.js';

type FileExpect = Extract<ExpectedState, { type: 'file' }>;
type OpInput = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never;

/** A small world of accounts, built by hand on any filesystem. */
export interface World {
  root: string;
  home: string;
  accounts: [string, string, string];
  sharedParent: string;
  sharedDir: string;
  ids: { a: string; b: string; c: string; d: string; fork: string; late: string };
}

const T0 = Date.parse('2026-10-01T10:00:00Z');

async function writeAt(fs: FileSystem, path: string, text: string | Uint8Array, mtimeMs: number, mode = 0o600) {
  await fs.writeFile(path, text, { mode });
  await fs.chmod(path, mode);
  await fs.utimes(path, mtimeMs, mtimeMs);
}

function transcript(id: string, prompts: string[], startMs: number, padding = 1500): string {
  return generateTranscript({ sessionId: id, cwd: '/home/dev/p1', prompts, startMs, paddingPerTurn: padding });
}

/**
 * Three accounts: `.claude` (two projects, a session with a sidecar folder, settings),
 * `.claude-2` (a diverged copy of session A, session D, no settings), `.claude-3` (empty).
 */
export async function buildWorld(fs: FileSystem, root: string): Promise<World> {
  const world = worldAt(root);
  const { ids, accounts } = world;
  const [one, two, three] = accounts;
  for (const dir of [
    join(one, 'projects', '-p1', ids.a, 'subagents'),
    join(one, 'projects', '-p2'),
    join(two, 'projects', '-p1'),
    join(three, 'projects'),
  ]) {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  const common = transcript(ids.a, ['Plan the settings page'], T0);
  await writeAt(
    fs,
    join(one, 'projects', '-p1', `${ids.a}.jsonl`),
    common + transcript(ids.a, ['Continue here'], T0 + 9e5),
    T0 + 1e6,
  );
  await writeAt(
    fs,
    join(two, 'projects', '-p1', `${ids.a}.jsonl`),
    common + transcript(ids.a, ['Continue there'], T0 + 8e5),
    T0 + 2e6,
  );
  await writeAt(fs, join(one, 'projects', '-p1', ids.a, 'subagents', 'agent-1.jsonl'), '{"type":"user"}\n', T0 + 5e5);
  await writeAt(
    fs,
    join(one, 'projects', '-p1', `${ids.b}.jsonl`),
    transcript(ids.b, ['Fix the tests'], T0 + 3e6),
    T0 + 3e6,
    0o644,
  );
  await writeAt(
    fs,
    join(one, 'projects', '-p2', `${ids.c}.jsonl`),
    transcript(ids.c, ['Write docs', 'More'], T0 + 4e6),
    T0 + 4e6,
  );
  await writeAt(
    fs,
    join(two, 'projects', '-p1', `${ids.d}.jsonl`),
    transcript(ids.d, ['Explain the cache'], T0 + 5e6),
    T0 + 5e6,
  );
  await writeAt(fs, join(one, 'settings.json'), '{\n  "cleanupPeriodDays": 14\n}\n', T0 + 6e6);
  for (const dir of [join(one, 'projects', '-p1', ids.a, 'subagents'), join(one, 'projects', '-p1', ids.a)]) {
    await fs.utimes(dir, T0, T0);
  }
  return world;
}

/** The names of the world {@link buildWorld} builds at `root`. */
export function worldAt(root: string): World {
  const home = join(root, 'home');
  return {
    root,
    home,
    accounts: [join(home, '.claude'), join(home, '.claude-2'), join(home, '.claude-3')],
    sharedParent: join(home, '.claude-shared'),
    sharedDir: join(home, '.claude-shared', 'projects'),
    ids: {
      a: 'aaaaaaaa-0000-4000-8000-000000000001',
      b: 'bbbbbbbb-0000-4000-8000-000000000002',
      c: 'cccccccc-0000-4000-8000-000000000003',
      d: 'dddddddd-0000-4000-8000-000000000004',
      fork: 'ffffffff-0000-4000-8000-000000000005',
      late: 'eeeeeeee-0000-4000-8000-000000000006',
    },
  };
}

export async function fileExpect(fs: FileSystem, path: string, withHash = false): Promise<FileExpect> {
  const st = await fs.lstat(path);
  const base: FileExpect = { type: 'file', size: st.size, mtimeMs: st.mtimeMs, mode: st.mode };
  if (!withHash) return base;
  return {
    ...base,
    hash: createHash('sha256')
      .update(await fs.readFile(path))
      .digest('hex'),
  };
}

/** Numbers operations and wraps them in a plan about the world. */
export function planOf(world: World, ops: OpInput[], id = 'test-plan', kind: Plan['kind'] = 'share'): Plan {
  return {
    version: 1,
    kind,
    id,
    createdAt: '2026-11-01T00:00:00.000Z',
    roots: [...world.accounts, world.sharedParent],
    accounts: [...world.accounts],
    sharedDirs: { projects: world.sharedDir },
    conflictsDir: join(world.sharedParent, 'conflicts'),
    fingerprint: 'test',
    operations: ops.map((op, i) => ({ ...op, id: `op-${String(i + 1).padStart(4, '0')}` }) as Operation),
    conflicts: [],
    warnings: [],
  };
}

export const STAMP = '1796083200';

/**
 * A share of accounts one and two covering mkdir, copyFile (one with a hash),
 * forkSession, writeFile (replacing with a backup, and creating), rename and symlink.
 */
export async function sharePlan(fs: FileSystem, world: World): Promise<Plan> {
  const [one, two] = world.accounts;
  const s = world.sharedDir;
  const p = (account: string, ...rest: string[]) => join(account, 'projects', ...rest);
  const { a, b, c, d, fork } = world.ids;
  const copy = async (from: string, to: string, reason: 'new' | 'newest-diverged' = 'new', hash = false) =>
    ({
      type: 'copyFile',
      reason,
      from,
      to,
      expectFrom: await fileExpect(fs, from, hash),
      expectTo: { type: 'absent' },
    }) as const;
  const mkdir = (path: string, mode = 0o700) =>
    ({ type: 'mkdir', reason: 'parent', path, mode, expect: { type: 'absent' } }) as const;
  // Like a planner, make the shared folder's parent only when it is missing.
  const parentExists = await fs.lstat(world.sharedParent).then(
    () => true,
    () => false,
  );
  const ops: OpInput[] = [
    ...(parentExists ? [] : [mkdir(world.sharedParent)]),
    mkdir(s),
    mkdir(join(s, '-p1')),
    mkdir(join(s, '-p2')),
    await copy(p(two, '-p1', `${a}.jsonl`), join(s, '-p1', `${a}.jsonl`), 'newest-diverged', true),
    {
      type: 'forkSession',
      reason: 'fork',
      from: p(one, '-p1', `${a}.jsonl`),
      to: join(s, '-p1', `${fork}.jsonl`),
      oldSessionId: a,
      newSessionId: fork,
      expectFrom: await fileExpect(fs, p(one, '-p1', `${a}.jsonl`)),
      expectTo: { type: 'absent' },
    },
    mkdir(join(s, '-p1', a)),
    mkdir(join(s, '-p1', a, 'subagents')),
    await copy(p(one, '-p1', a, 'subagents', 'agent-1.jsonl'), join(s, '-p1', a, 'subagents', 'agent-1.jsonl')),
    await copy(p(one, '-p1', `${b}.jsonl`), join(s, '-p1', `${b}.jsonl`)),
    await copy(p(one, '-p2', `${c}.jsonl`), join(s, '-p2', `${c}.jsonl`)),
    await copy(p(two, '-p1', `${d}.jsonl`), join(s, '-p1', `${d}.jsonl`)),
    {
      type: 'writeFile',
      reason: 'cleanup-period',
      path: join(one, 'settings.json'),
      content: '{\n  "cleanupPeriodDays": 3650\n}\n',
      mode: 0o600,
      expect: await fileExpect(fs, join(one, 'settings.json')),
      backupTo: join(one, `settings.json.bak.${STAMP}`),
    },
    {
      type: 'writeFile',
      reason: 'cleanup-period',
      path: join(two, 'settings.json'),
      content: '{\n  "cleanupPeriodDays": 3650\n}\n',
      mode: 0o600,
      expect: { type: 'absent' },
    },
    ...[one, two].map(
      (acct) =>
        ({
          type: 'rename',
          reason: 'backup',
          from: join(acct, 'projects'),
          to: join(acct, `projects.bak.${STAMP}`),
          expectFrom: { type: 'directory' },
          expectTo: { type: 'absent' },
        }) as const,
    ),
    ...[one, two].map(
      (acct) =>
        ({
          type: 'symlink',
          reason: 'link',
          path: join(acct, 'projects'),
          target: s,
          linkType: 'dir',
          expect: { type: 'absent' },
        }) as const,
    ),
  ];
  return planOf(world, ops, 'share-plan');
}

/**
 * After {@link sharePlan} was applied and a session written while shared: undo the
 * share of account one (unlinkSymlink, rename back) and carry the new session back.
 */
export async function unsharePlan(fs: FileSystem, world: World): Promise<Plan> {
  const [one] = world.accounts;
  const late = join(world.sharedDir, '-p2', `${world.ids.late}.jsonl`);
  return planOf(
    world,
    [
      {
        type: 'unlinkSymlink',
        reason: 'unlink',
        path: join(one, 'projects'),
        expect: { type: 'symlink', target: world.sharedDir },
      },
      {
        type: 'rename',
        reason: 'restore',
        from: join(one, `projects.bak.${STAMP}`),
        to: join(one, 'projects'),
        expectFrom: { type: 'directory' },
        expectTo: { type: 'absent' },
      },
      {
        type: 'copyFile',
        reason: 'carry',
        from: late,
        to: join(one, 'projects', '-p2', `${world.ids.late}.jsonl`),
        expectFrom: await fileExpect(fs, late),
        expectTo: { type: 'absent' },
      },
    ],
    'unshare-plan',
    'rollback',
  );
}

/** Writes a new session into the shared folder (as Claude Code would through a link). */
export async function writeLateSession(fs: FileSystem, world: World): Promise<void> {
  const path = join(world.sharedDir, '-p2', `${world.ids.late}.jsonl`);
  await writeAt(fs, path, transcript(world.ids.late, ['Made while shared'], T0 + 9e6), T0 + 9e6);
}
