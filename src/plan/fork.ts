/**
 * Planning a fork: one transcript written under a new session id into a project folder,
 * with its sidecar files (`<id>/subagents/...`, `<id>/tool-results/...`) copied under the
 * new id. Shared by the merge (diverged copies), rollback (a diverged session an account
 * extended while shared) and any other planner that must keep a second version of a
 * session resumable. Pure: adds operations to a {@link PlanBuilder}.
 */
import { join } from 'node:path';
import type { TreeEntry } from '../inspect/types.js';
import type { PlanBuilder } from './builder.js';
import { deriveForkSessionId } from './fingerprint.js';

/** A sidecar file of the session being forked. */
export interface ForkSidecar {
  /** Absolute path of the file now. */
  from: string;
  /** Its path relative to the session's sidecar folder `<id>/`, `/`-separated: `subagents/agent-a1.jsonl`. */
  rel: string;
  entry: TreeEntry;
}

export interface ForkRequest {
  /** The transcript to fork (absolute path) and its snapshot entry. */
  from: string;
  entry: TreeEntry;
  /** The session id written in the transcript now. */
  sessionId: string;
  /** The project folder the fork is written into (`<shared projects>/<project>`). */
  projectDir: string;
  /** What the new id is derived from besides the session id: the content's hash. */
  contentKey: string;
  /** The account the fork is about, for the operations. */
  account?: string;
  /** The sidecar files that travel with the fork. */
  sidecars?: readonly ForkSidecar[];
  /** Why the operations are there. @default 'fork' */
  reason?: 'fork' | 'carry';
  /** @default {@link deriveForkSessionId} */
  forkSessionId?: (sessionId: string, contentHash: string) => string;
}

export interface PlannedFork {
  newSessionId: string;
  /** Where the forked transcript is (or already was). */
  path: string;
  /** The `forkSession` operation, absent when the fork exists already. */
  operationId?: string;
  /** Sidecar files not copied because something else is at their new path. */
  sidecarsInTheWay: string[];
}

/**
 * The sidecar files of session `sessionId` in project `project` of a tree: every regular,
 * readable file under `<project>/<sessionId>/`.
 *
 * @example
 * sidecarsOf(account.folders.projects.entries, '/home/u/.claude/projects', '-home-u-app', id)
 */
export function sidecarsOf(
  entries: readonly TreeEntry[],
  root: string,
  project: string,
  sessionId: string,
): ForkSidecar[] {
  const prefix = `${project}/${sessionId}/`;
  const out: ForkSidecar[] = [];
  for (const entry of entries) {
    if (entry.type !== 'file' || entry.unreadable !== undefined || !entry.path.startsWith(prefix)) continue;
    out.push({ from: join(root, ...entry.path.split('/')), rel: entry.path.slice(prefix.length), entry });
  }
  return out;
}

/**
 * Plans the fork of one transcript: a `forkSession` to `<projectDir>/<new id>.jsonl`
 * (unless a file is there already, which is taken as the fork made by an earlier run:
 * the id derives from the content), then a `copyFile` (reason `fork-sidecar`) of each
 * sidecar file to `<projectDir>/<new id>/<rel>` that is not there yet. Sidecar files
 * keep their bytes (a subagent transcript still names the session it was made in).
 *
 * @example
 * const fork = planFork(b, { from, entry, sessionId, projectDir, contentKey: entry.hash ?? from });
 * console.log(fork.newSessionId);
 */
export function planFork(b: PlanBuilder, request: ForkRequest): PlannedFork {
  const ids = request.forkSessionId ?? deriveForkSessionId;
  const newSessionId = ids(request.sessionId, request.contentKey);
  const to = join(request.projectDir, `${newSessionId}.jsonl`);
  const account = request.account === undefined ? {} : { account: request.account };
  const result: PlannedFork = { newSessionId, path: to, sidecarsInTheWay: [] };
  const there = b.state.lookup(to);
  if (there.type === 'absent' || there.type === 'unknown') {
    const op = b.add({
      type: 'forkSession',
      reason: request.reason ?? 'fork',
      from: request.from,
      to,
      oldSessionId: request.sessionId,
      newSessionId,
      expectFrom: b.expectFile(request.entry),
      expectTo: { type: 'absent' },
      sessionId: request.sessionId,
      ...account,
    });
    result.operationId = op.id;
  }
  const sidecarRoot = join(request.projectDir, newSessionId);
  for (const s of request.sidecars ?? []) {
    const target = join(sidecarRoot, ...s.rel.split('/'));
    const found = b.state.lookup(target);
    if (found.type === 'file' && found.size === s.entry.size) continue;
    const parent = join(target, '..');
    if ((found.type !== 'absent' && found.type !== 'unknown') || !b.ensureDir(parent, 0o700, request.account)) {
      result.sidecarsInTheWay.push(target);
      continue;
    }
    b.add({
      type: 'copyFile',
      reason: 'fork-sidecar',
      from: s.from,
      to: target,
      expectFrom: b.expectFile(s.entry),
      expectTo: { type: 'absent' },
      sessionId: newSessionId,
      ...account,
    });
  }
  return result;
}
