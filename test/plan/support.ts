/**
 * Builders for planner tests: a disk described as plain data, made on memfs and read by
 * the real inspector into a snapshot; expected operations; and a tiny test-only applier
 * (the real executor lives in src/apply) to check idempotence and round trips.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { Volume } from 'memfs';
import { createMemFileSystem } from '../../src/fs/memfs.js';
import type { FileSystem } from '../../src/fs/types.js';
import { type InspectOptions, inspect } from '../../src/inspect/inspect.js';
import type { Snapshot, TreeEntry } from '../../src/inspect/types.js';
import type { ExpectedState, Operation, Plan } from '../../src/plan/types.js';

export const HOME = '/h';
export const A = '/h/.claude';
export const B = '/h/.claude-2';
export const C = '/h/.claude-3';
export const SHARED = '/h/.claude-shared/projects';
export const CONFLICTS = '/h/.claude-shared/conflicts';
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const NOW = Date.parse('2026-11-27T06:00:00Z');
export const CTX = { id: 'plan-1', now: NOW } as const;

export type Spec =
  | string
  | { content: string; mtimeMs?: number; mode?: number }
  | { dir: true; mode?: number }
  | { link: string };

/** Makes a memfs disk from `{ absolute path: spec }`; folders are implied by their files. */
export async function makeDisk(
  spec: Record<string, Spec>,
): Promise<{ fs: FileSystem; vol: InstanceType<typeof Volume> }> {
  const vol = new Volume();
  const fs = createMemFileSystem(vol);
  const paths = Object.keys(spec).sort();
  for (const path of paths) {
    const s = spec[path] as Spec;
    if (typeof s === 'object' && 'link' in s) {
      vol.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      vol.symlinkSync(s.link, path);
    } else if (typeof s === 'object' && 'dir' in s) {
      vol.mkdirSync(path, { recursive: true, mode: s.mode ?? 0o700 });
    } else {
      const content = typeof s === 'string' ? s : s.content;
      const mode = typeof s === 'string' ? 0o600 : (s.mode ?? 0o600);
      vol.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      vol.writeFileSync(path, content, { mode });
      vol.chmodSync(path, mode);
      const mtime = typeof s === 'string' ? T0 : (s.mtimeMs ?? T0);
      await fs.utimes(path, mtime, mtime);
    }
  }
  return { fs, vol };
}

export function inspectOptions(fs: FileSystem, extra: Partial<InspectOptions> = {}): InspectOptions {
  return {
    fs,
    home: HOME,
    cwd: HOME,
    env: {},
    accounts: [A, B],
    sharedDir: SHARED,
    isProcessAlive: () => false,
    ...extra,
  };
}

/** Builds the disk and inspects it. */
export async function snapshotOf(
  spec: Record<string, Spec>,
  extra: Partial<InspectOptions> = {},
): Promise<{ snapshot: Snapshot; fs: FileSystem }> {
  const { fs } = await makeDisk(spec);
  const present = [A, B, C].filter((a) => Object.keys(spec).some((p) => p.startsWith(`${a}/`)));
  return { snapshot: await inspect(inspectOptions(fs, { accounts: present, ...extra })), fs };
}

export function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A transcript line with a timestamp. */
export function rec(n: number, ts: number, extra = ''): string {
  return `${JSON.stringify({ type: 'user', uuid: `u${n}${extra}`, timestamp: new Date(ts).toISOString(), sessionId: SID })}\n`;
}
export const SID = '11111111-2222-4333-8444-555555555555';
export const SID2 = '66666666-7777-4888-9999-aaaaaaaaaaaa';

/** The expected state of a file from its content and times, as a planner states it. */
export function fileState(
  content: string,
  opts: { mtimeMs?: number; mode?: number; hash?: boolean } = {},
): Extract<ExpectedState, { type: 'file' }> {
  const s: Extract<ExpectedState, { type: 'file' }> = {
    type: 'file',
    size: Buffer.byteLength(content),
    mtimeMs: opts.mtimeMs ?? T0,
    mode: opts.mode ?? 0o600,
  };
  if (opts.hash) s.hash = sha(content);
  return s;
}

/** Operations without their ids, for comparing lists. */
export function withoutIds(ops: readonly Operation[]): Omit<Operation, 'id'>[] {
  return ops.map(({ id: _id, ...rest }) => rest);
}

/** Finds a snapshot entry by tree and relative path. */
export function entryOf(entries: readonly TreeEntry[], path: string): TreeEntry | undefined {
  return entries.find((e) => e.path === path);
}

async function checkExpected(fs: FileSystem, path: string, expect: ExpectedState, opId: string): Promise<void> {
  let st: Awaited<ReturnType<FileSystem['lstat']>> | undefined;
  try {
    st = await fs.lstat(path);
  } catch {
    st = undefined;
  }
  const fail = (why: string) => {
    throw new Error(`${opId}: ${path}: ${why}`);
  };
  if (expect.type === 'absent') {
    if (st) fail('expected absent');
    return;
  }
  if (!st) return fail(`expected ${expect.type}, found nothing`);
  if (st.type !== expect.type) fail(`expected ${expect.type}, found ${st.type}`);
  if (expect.type === 'file') {
    if (st.size !== expect.size) fail(`size ${st.size} != ${expect.size}`);
    if (st.mtimeMs !== expect.mtimeMs) fail(`mtime ${st.mtimeMs} != ${expect.mtimeMs}`);
    if (expect.mode !== undefined && st.mode !== expect.mode) fail(`mode ${st.mode} != ${expect.mode}`);
    if (expect.hash !== undefined) {
      const actual = createHash('sha256')
        .update(await fs.readFile(path))
        .digest('hex');
      if (actual !== expect.hash) fail('hash differs');
    }
  }
  if (expect.type === 'symlink' && (await fs.readlink(path)) !== expect.target) fail('link text differs');
}

/**
 * A minimal, test-only applier: runs each operation in order, checking the states the
 * plan expects first. No journal, no rollback: enough to prove the plans are executable
 * in order and to take the "after" snapshot for idempotence tests.
 */
export async function applyForTest(fs: FileSystem, plan: Plan): Promise<void> {
  for (const op of plan.operations) {
    switch (op.type) {
      case 'mkdir':
        await checkExpected(fs, op.path, op.expect, op.id);
        await fs.mkdir(op.path, { mode: op.mode });
        break;
      case 'copyFile':
        await checkExpected(fs, op.from, op.expectFrom, op.id);
        await checkExpected(fs, op.to, op.expectTo, op.id);
        await fs.copyFile(op.from, op.to);
        break;
      case 'forkSession': {
        await checkExpected(fs, op.from, op.expectFrom, op.id);
        await checkExpected(fs, op.to, op.expectTo, op.id);
        const text = Buffer.from(await fs.readFile(op.from)).toString('utf8');
        const out = text.split(`"sessionId":"${op.oldSessionId}"`).join(`"sessionId":"${op.newSessionId}"`);
        await fs.writeFile(op.to, out, { mode: op.expectFrom.mode ?? 0o600, exclusive: true });
        await fs.utimes(op.to, op.expectFrom.mtimeMs, op.expectFrom.mtimeMs);
        break;
      }
      case 'rename':
        await checkExpected(fs, op.from, op.expectFrom, op.id);
        await checkExpected(fs, op.to, op.expectTo, op.id);
        await fs.rename(op.from, op.to);
        break;
      case 'symlink':
        await checkExpected(fs, op.path, op.expect, op.id);
        await fs.symlink(op.target, op.path, 'dir');
        break;
      case 'unlinkSymlink':
        await checkExpected(fs, op.path, op.expect, op.id);
        await fs.unlink(op.path);
        break;
      case 'writeFile':
        await checkExpected(fs, op.path, op.expect, op.id);
        if (op.backupTo !== undefined) {
          await checkExpected(fs, op.backupTo, { type: 'absent' }, op.id);
          await fs.rename(op.path, op.backupTo);
        }
        await fs.writeFile(op.path, op.content, { mode: op.mode });
        await fs.chmod(op.path, op.mode);
        break;
    }
  }
}
