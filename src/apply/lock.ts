import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, errnoCode, SharedSessionsError } from '../errors.js';
import type { FileSystem } from '../fs/types.js';
import { readActual } from '../operations/state.js';

/** What the owner of a lock writes into it, for messages and for stale detection. */
export interface LockOwner {
  pid: number;
  host: string;
  /** Unique to one acquisition. */
  token: string;
  acquiredAt: string;
  /** What holds it: `apply <plan id>` or `recover`. */
  purpose: string;
  /** Folders created to hold the lock and journal, removed again when empty. */
  createdDirs?: string[];
}

export interface LockOptions {
  /** A lock whose owner is not known to be dead is stale once its mtime is this old. */
  staleMs: number;
  isProcessAlive: (pid: number) => boolean;
  purpose: string;
  createdDirs?: string[];
}

/** A held lock. */
export interface Lock {
  readonly path: string;
  readonly owner: LockOwner;
  /** The owner of a stale lock this one took over, if any. */
  readonly previous: LockOwner | undefined;
  /** Set when the lock was lost (removed or taken over by someone else). */
  readonly compromised: SharedSessionsError | undefined;
  /** Throws ECOMPROMISED when the lock was lost. */
  assertHeld(): void;
  /** Removes the lock (no-op when it was lost). */
  release(): Promise<void>;
}

export const OWNER_FILE = 'owner.json';
const RELEASED_MARK = '.released-';
const TEMP_MARK = '.tmp-';

/** Tokens of the locks this process holds: a lock naming this pid but no held token is a leftover. */
const heldTokens = new Set<string>();

/**
 * Takes a `mkdir` lock at `lockDir`, the way proper-lockfile does, on the library's
 * filesystem interface. The lock folder is prepared under a temporary name with its
 * owner file inside, then renamed into place: the rename is the atomic step (it fails
 * when a lock is there, as `mkdir` would), and a lock is never seen without its owner.
 * The folder's mtime is refreshed every `staleMs / 2`; a lock is stale when its owner
 * (same host) is dead, or when its mtime is older than `staleMs`. A stale lock is moved
 * aside (a rename, so two takers cannot both win) and taken. Throws ELOCKED when held.
 */
export async function acquireLock(fs: FileSystem, lockDir: string, options: LockOptions): Promise<Lock> {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    acquiredAt: new Date().toISOString(),
    purpose: options.purpose,
    ...(options.createdDirs ? { createdDirs: options.createdDirs } : {}),
  };
  const prepared = `${lockDir}${TEMP_MARK}${owner.token}`;
  try {
    try {
      await fs.mkdir(prepared, { mode: 0o700 });
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      // An apply that just finished removed the state folder.
      await fs.mkdir(dirname(lockDir), { recursive: true, mode: 0o700 });
      await fs.mkdir(prepared, { mode: 0o700 });
    }
    await fs.writeFile(join(prepared, OWNER_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o600, exclusive: true });
  } catch (error) {
    await removeLockDir(fs, prepared).catch(() => {});
    throw error;
  }
  let previous: LockOwner | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      if ((await readActual(fs, lockDir)).type === 'absent') {
        try {
          await fs.rename(prepared, lockDir);
          break;
        } catch (error) {
          const code = errnoCode(error);
          // Our prepared folder was cleared away by the lock's holder: it is held.
          if (code === 'ENOENT') throw lockedError(lockDir, undefined, options.staleMs);
          if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EPERM' && code !== 'EISDIR') throw error;
        }
      }
      if (attempt >= 3) throw lockedError(lockDir, undefined, options.staleMs);
      const current = await inspectLock(fs, lockDir, options);
      if (current.state === 'gone') continue;
      if (current.state === 'held') throw lockedError(lockDir, current.owner, options.staleMs);
      previous = current.owner;
      await moveAside(fs, lockDir);
    }
  } catch (error) {
    await removeLockDir(fs, prepared).catch(() => {});
    throw error;
  }
  heldTokens.add(owner.token);
  try {
    return new HeldLock(fs, lockDir, owner, previous, options.staleMs, (await fs.stat(lockDir)).mtimeMs);
  } catch (error) {
    heldTokens.delete(owner.token);
    throw error;
  }
}

function lockedError(lockDir: string, owner: LockOwner | undefined, staleMs: number): SharedSessionsError {
  const who = owner
    ? `${owner.purpose} (pid ${owner.pid} on ${owner.host}, since ${owner.acquiredAt})`
    : 'another process';
  return new SharedSessionsError(
    ErrorCodes.LOCKED,
    `${who} holds the lock ${lockDir}. Wait for it to finish; if no such process runs, the lock is taken over once it is ${Math.round(staleMs / 1000)} s old.`,
    { path: lockDir, details: owner },
  );
}

type Inspection = { state: 'gone' } | { state: 'held' | 'stale'; owner: LockOwner | undefined };

/** Whether the lock at `lockDir` is held, stale (its owner is gone) or gone. */
export async function inspectLock(
  fs: FileSystem,
  lockDir: string,
  options: Pick<LockOptions, 'staleMs' | 'isProcessAlive'>,
): Promise<Inspection> {
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.stat(lockDir)).mtimeMs;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { state: 'gone' };
    throw error;
  }
  const owner = await readOwner(fs, lockDir);
  if (owner && owner.host === hostname()) {
    if (owner.pid === process.pid) return { state: heldTokens.has(owner.token) ? 'held' : 'stale', owner };
    if (!options.isProcessAlive(owner.pid)) return { state: 'stale', owner };
  }
  return { state: mtimeMs < Date.now() - options.staleMs ? 'stale' : 'held', owner };
}

export async function readOwner(fs: FileSystem, lockDir: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(await fs.readFile(join(lockDir, OWNER_FILE)))) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as LockOwner).pid === 'number') {
      return parsed as LockOwner;
    }
  } catch {
    // No owner yet (a crash between mkdir and writing it) or a torn write: judged by mtime.
  }
  return undefined;
}

/** Moves a lock folder out of the way atomically, then removes it. */
async function moveAside(fs: FileSystem, lockDir: string): Promise<void> {
  const aside = `${lockDir}${RELEASED_MARK}${randomBytes(6).toString('hex')}`;
  try {
    await fs.rename(lockDir, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  await removeLockDir(fs, aside).catch(() => {});
}

async function removeLockDir(fs: FileSystem, dir: string): Promise<void> {
  try {
    await fs.unlink(join(dir, OWNER_FILE));
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  await fs.rmdir(dir);
}

/**
 * Removes what released, taken-over or half-prepared locks left beside `lockDir` (best
 * effort). Call it while holding the lock: a taker still preparing its folder then
 * merely finds it gone and reports the lock as held.
 */
export async function removeLockLeftovers(fs: FileSystem, lockDir: string): Promise<void> {
  const dir = dirname(lockDir);
  const prefixes = [`${basename(lockDir)}${RELEASED_MARK}`, `${basename(lockDir)}${TEMP_MARK}`];
  let names: string[];
  try {
    names = (await fs.readdir(dir)).map((e) => e.name);
  } catch {
    return;
  }
  for (const name of names) {
    if (prefixes.some((p) => name.startsWith(p))) await removeLockDir(fs, join(dir, name)).catch(() => {});
  }
}

class HeldLock implements Lock {
  readonly path: string;
  readonly owner: LockOwner;
  readonly previous: LockOwner | undefined;
  compromised: SharedSessionsError | undefined;
  readonly #fs: FileSystem;
  readonly #staleMs: number;
  #mtimeMs: number;
  #lastUpdate = Date.now();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #released = false;

  constructor(
    fs: FileSystem,
    path: string,
    owner: LockOwner,
    previous: LockOwner | undefined,
    staleMs: number,
    mtimeMs: number,
  ) {
    this.#fs = fs;
    this.path = path;
    this.owner = owner;
    this.previous = previous;
    this.#staleMs = staleMs;
    this.#mtimeMs = mtimeMs;
    this.#schedule(Math.max(staleMs / 2, 25));
  }

  #schedule(delay: number): void {
    if (this.#released) return;
    this.#timer = setTimeout(() => void this.#refresh(), delay);
    this.#timer.unref?.();
  }

  async #refresh(): Promise<void> {
    this.#timer = undefined;
    if (this.#released) return;
    const overdue = () => this.#lastUpdate + this.#staleMs < Date.now();
    try {
      const st = await this.#fs.stat(this.path);
      if (st.mtimeMs !== this.#mtimeMs) {
        return this.#lose('its mtime changed: another process took it over');
      }
      const now = Date.now();
      await this.#fs.utimes(this.path, now, now);
      if (this.#released) return;
      this.#mtimeMs = (await this.#fs.stat(this.path)).mtimeMs;
      this.#lastUpdate = now;
      this.#schedule(Math.max(this.#staleMs / 2, 25));
    } catch (error) {
      if (this.#released) return;
      if (errnoCode(error) === 'ENOENT') return this.#lose('it was removed');
      if (overdue()) return this.#lose(`it could not be refreshed in time (${errnoCode(error) ?? error})`);
      this.#schedule(Math.min(1000, this.#staleMs / 4));
    }
  }

  #lose(why: string): void {
    this.#released = true;
    heldTokens.delete(this.owner.token);
    this.compromised = new SharedSessionsError(
      ErrorCodes.LOCK_COMPROMISED,
      `The lock ${this.path} was lost: ${why}. Another apply may be running on the same shared folder; the work was stopped and undone.`,
      { path: this.path },
    );
  }

  assertHeld(): void {
    if (this.compromised) throw this.compromised;
  }

  /**
   * Frees the lock. The heartbeat stops and this process forgets the lock before the
   * folder is moved, so even when the move fails the lock already reads as stale (to this
   * process at once, to others once its owner is dead or its mtime is `staleMs` old) and
   * the next apply or recover takes it over: a caller that is already throwing may
   * ignore a failed release.
   */
  async release(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#released) return;
    this.#released = true;
    heldTokens.delete(this.owner.token);
    // Moving the folder aside frees the lock in one atomic step; what remains of it is
    // garbage that the next taker removes if this process dies now.
    await moveAside(this.#fs, this.path);
  }
}
