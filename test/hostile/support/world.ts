/**
 * The sandbox of the hostile catalogue: two accounts (`~/.claude`, `~/.claude-2`) with a
 * few sessions, credentials, `.claude.json`, a `sessions/` registry and settings, on the
 * real disk (a temp folder) or on memfs; helpers to seed more, to dump it, and to assert
 * a typed refusal that leaves it exactly as it was.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Volume } from 'memfs';
import { expect } from 'vitest';
import { generateTranscript } from '../../../src/demo/transcript.js';
import { isSharedSessionsError, type SharedSessionsError } from '../../../src/errors.js';
import { createMemFileSystem } from '../../../src/fs/memfs.js';
import { createNodeFileSystem } from '../../../src/fs/node.js';
import type { FileSystem } from '../../../src/fs/types.js';
import type { VerbOptions } from '../../../src/verbs/verbs.js';
import { dumpDisk, dumpTree } from '../../support/tree.js';

export const T0 = Date.parse('2026-03-01T10:00:00Z');
/** "Now" for every plan of the catalogue. */
export const NOW = Date.parse('2026-11-20T12:00:00Z');
/** A secret planted in every credentials file: it must never show up anywhere. */
export const SECRET = 'sk-ant-oat01-HOSTILE-CATALOGUE-SECRET-4f1c';

export const IDS = {
  a: 'aaaaaaaa-1111-4111-8111-000000000001',
  b: 'bbbbbbbb-2222-4222-8222-000000000002',
  c: 'cccccccc-3333-4333-8333-000000000003',
  d: 'dddddddd-4444-4444-8444-000000000004',
  e: 'eeeeeeee-5555-4555-8555-000000000005',
} as const;

export interface Sandbox {
  kind: 'disk' | 'memfs';
  fs: FileSystem;
  /** The temp folder (disk) or `/sb` (memfs); everything the catalogue makes is under it. */
  root: string;
  home: string;
  /** `~/.claude`, `~/.claude-2`. */
  a: string;
  b: string;
  sharedParent: string;
  shared: string;
  conflicts: string;
  cleanup: () => void;
}

function layout(kind: Sandbox['kind'], fs: FileSystem, root: string, cleanup: () => void): Sandbox {
  const home = join(root, 'home');
  const sharedParent = join(home, '.claude-shared');
  return {
    kind,
    fs,
    root,
    home,
    a: join(home, '.claude'),
    b: join(home, '.claude-2'),
    sharedParent,
    shared: join(sharedParent, 'projects'),
    conflicts: join(sharedParent, 'conflicts'),
    cleanup,
  };
}

/** An empty sandbox on the real disk (a fresh temp folder, real path). */
export function diskSandbox(): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'css-hostile-')));
  return layout('disk', createNodeFileSystem(), root, () => rmSync(root, { recursive: true, force: true }));
}

/** An empty sandbox on memfs. */
export async function memSandbox(): Promise<Sandbox> {
  const fs = createMemFileSystem(new Volume());
  await fs.mkdir('/sb', { recursive: true, mode: 0o700 });
  return layout('memfs', fs, '/sb', () => {});
}

export type Spec =
  | string
  | Uint8Array
  | { content: string | Uint8Array; mtimeMs?: number; mode?: number }
  | { dir: true; mode?: number }
  | { link: string };

/** Creates `{ absolute path: spec }` on the sandbox's filesystem, parents 0700, files 0600, mtime T0. */
export async function seed(fs: FileSystem, spec: Record<string, Spec>): Promise<void> {
  for (const path of Object.keys(spec).sort()) {
    const s = spec[path] as Spec;
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    if (typeof s === 'object' && 'link' in s) {
      await fs.symlink(s.link, path);
    } else if (typeof s === 'object' && 'dir' in s) {
      await fs.mkdir(path, { recursive: true, mode: s.mode ?? 0o700 });
      await fs.chmod(path, s.mode ?? 0o700);
    } else {
      const spec = typeof s === 'string' || s instanceof Uint8Array ? { content: s } : s;
      const mode = spec.mode ?? 0o600;
      await fs.writeFile(path, spec.content, { mode });
      await fs.chmod(path, mode);
      const mtime = spec.mtimeMs ?? T0;
      await fs.utimes(path, mtime, mtime);
    }
  }
}

export function transcript(id: string, prompts: string[], startMs = T0, padding = 400): string {
  return generateTranscript({ sessionId: id, cwd: '/home/dev/app', prompts, startMs, paddingPerTurn: padding });
}

/** A transcript path: `<account>/projects/<project>/<id>.jsonl`. */
export function session(account: string, id: string, project = '-home-dev-app'): string {
  return join(account, 'projects', project, `${id}.jsonl`);
}

/**
 * The standard two accounts: `.claude` with sessions A and B (B with a sidecar), settings
 * and a dead pid in `sessions/`; `.claude-2` with session C and a copy of A that grew.
 * Both have credentials and `.claude.json` holding {@link SECRET}.
 */
export function standardSpec(sb: Sandbox): Record<string, Spec> {
  const a = transcript(IDS.a, ['Plan the settings page']);
  return {
    [session(sb.a, IDS.a)]: { content: a, mtimeMs: T0 + 1000 },
    [session(sb.a, IDS.b)]: { content: transcript(IDS.b, ['Fix the tests'], T0 + 5e5), mtimeMs: T0 + 6e5 },
    [join(sb.a, 'projects', '-home-dev-app', IDS.b, 'subagents', 'agent-a1.jsonl')]: '{"type":"user"}\n',
    [join(sb.a, 'settings.json')]: '{\n  "cleanupPeriodDays": 30\n}\n',
    [join(sb.a, '.credentials.json')]: `{"claudeAiOauth":{"accessToken":"${SECRET}"}}`,
    [join(sb.a, '.claude.json')]: `{"oauthAccount":{"token":"${SECRET}"}}`,
    [join(sb.a, 'sessions', '999999991.json')]: `{"pid":999999991,"secret":"${SECRET}"}`,
    [session(sb.b, IDS.a)]: { content: a + transcript(IDS.a, ['Continue'], T0 + 2e6), mtimeMs: T0 + 3e6 },
    [session(sb.b, IDS.c)]: { content: transcript(IDS.c, ['Explain the cache'], T0 + 4e6), mtimeMs: T0 + 4e6 },
    [join(sb.b, '.credentials.json')]: `{"claudeAiOauth":{"accessToken":"${SECRET}"}}`,
    [join(sb.b, '.claude.json')]: `{"oauthAccount":{"token":"${SECRET}"}}`,
    [join(sb.b, 'sessions', '999999992.json')]: `{"pid":999999992,"secret":"${SECRET}"}`,
  };
}

/** A sandbox (disk by default) seeded with {@link standardSpec} plus `extra`. */
export async function standardSandbox(
  kind: Sandbox['kind'] = 'disk',
  extra: (sb: Sandbox) => Record<string, Spec> = () => ({}),
): Promise<Sandbox> {
  const sb = kind === 'disk' ? diskSandbox() : await memSandbox();
  await seed(sb.fs, { ...standardSpec(sb), ...extra(sb) });
  return sb;
}

/** Options for the verbs: the sandbox's accounts, fixed id and time, no live pids. */
export function verbOptions(sb: Sandbox, extra: Partial<VerbOptions> = {}): VerbOptions {
  return {
    fs: sb.fs,
    home: sb.home,
    env: {},
    accounts: [sb.a, sb.b],
    id: 'hostile-plan',
    now: NOW,
    isProcessAlive: () => false,
    ...extra,
  };
}

/** Executor options that match {@link verbOptions}. */
export function applyOptions(sb: Sandbox, extra: Record<string, unknown> = {}) {
  return { fs: sb.fs, isProcessAlive: () => false, concurrency: 2, ...extra };
}

/** A dump of every file, link, mode, owner and mtime under the sandbox (folder mtimes too on disk). */
export async function dump(sb: Sandbox, options: { dirMtimes?: boolean } = {}): Promise<unknown> {
  if (sb.kind === 'disk') return dumpDisk(sb.root, { dirMtimes: options.dirMtimes ?? true });
  return dumpTree(sb.fs, sb.root);
}

/**
 * Asserts that `promise` rejects with a SharedSessionsError of `code` whose message
 * matches `advice` (it says what to do), and returns the error.
 */
export async function expectRefusal(
  promise: Promise<unknown>,
  code: string,
  advice: RegExp,
): Promise<SharedSessionsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the operation to be refused').toBeDefined();
  if (!isSharedSessionsError(error)) throw error;
  expect({ code: error.code, message: error.message }).toMatchObject({ code, message: expect.stringMatching(advice) });
  return error;
}

/** Runs `fn` and asserts that the sandbox is byte for byte, mode for mode and mtime for mtime as before. */
export async function expectUntouched<T>(sb: Sandbox, fn: () => Promise<T>, options: { dirMtimes?: boolean } = {}) {
  const before = await dump(sb, options);
  const result = await fn();
  expect(await dump(sb, options)).toEqual(before);
  return result;
}
