/**
 * What `diagnose` reports about a synced shared folder: the layout, conflict copies,
 * aliases and other machines' cleanup (docs/machines.md).
 */
import { join } from 'node:path';
import type { Account } from '../accounts/types.js';
import type { Finding } from '../doctor/finding.js';
import { tildePath } from '../util/text.js';
import type { SyncSnapshot } from './inspect.js';
import { STIGNORE, STIGNORE_LOCAL, stignoreText } from './layout.js';

/** What `doctor` reports about the synced layout, conflict copies, aliases and other machines. */
export function syncFindings(home: string, snap: SyncSnapshot, ownAccounts: readonly Account[]): Finding[] {
  const tilde = (path: string) => tildePath(home, path);
  const out: Finding[] = [];
  if (snap.projectsIsRoot) {
    out.push({
      code: 'SYNC_ROOT_IS_PROJECTS',
      severity: 'error',
      message: `${tilde(join(snap.sharedDir, '.stfolder'))} exists: Syncthing syncs the shared projects/ folder itself. Claude Code's cleanup deletes empty subfolders of projects/, Syncthing's marker included, and Syncthing then stops ("folder marker missing"). Make ${tilde(snap.root)} the Syncthing folder instead (see docs/machines.md).`,
      path: join(snap.sharedDir, '.stfolder'),
      fixable: false,
    });
  }
  if (snap.engine === 'syncthing') {
    if (snap.stignore.type !== 'file' || snap.stignore.text !== stignoreText()) {
      out.push({
        code: 'SYNC_IGNORE',
        severity: 'warning',
        message: `${tilde(snap.stignore.path)} ${snap.stignore.type === 'missing' ? 'is missing' : 'is not the one this tool writes'}: without it Syncthing also syncs per-machine files beside projects/ (backups, conflicts, journal). \`doctor --fix\` writes it${snap.stignore.type === 'file' ? ' (the old one is kept)' : ''}; own patterns go to ${STIGNORE_LOCAL}.`,
        path: snap.stignore.path,
        fixable: true,
      });
    } else if (snap.stignoreLocal.type !== 'file') {
      out.push({
        code: 'SYNC_IGNORE',
        severity: 'warning',
        message: `${tilde(snap.stignoreLocal.path)} is missing; the ${STIGNORE} includes it and Syncthing reports an error without it. \`doctor --fix\` creates an empty one.`,
        path: snap.stignoreLocal.path,
        fixable: true,
      });
    }
  }
  const busy = snap.folds.filter((f) => f.busy !== undefined);
  const ready = snap.folds.filter((f) => f.busy === undefined);
  if (ready.length > 0) {
    const diverged = ready.filter((f) => f.relation === 'diverged').length;
    out.push({
      code: 'SYNC_CONFLICT_COPIES',
      severity: 'warning',
      message: `${ready.length} sync-conflict cop${ready.length === 1 ? 'y' : 'ies'} in ${tilde(snap.sharedDir)} (e.g. ${tilde(ready[0]?.copy.path ?? '')})${diverged > 0 ? `, ${diverged} diverged` : ''}: the picker never lists them and Claude Code's cleanup later deletes them. \`doctor --fix\` folds them back (a shorter copy goes to the conflicts folder, a longer one replaces the original, a diverged transcript becomes a new resumable session).`,
      path: ready[0]?.copy.path ?? '',
      fixable: true,
    });
  }
  if (busy.length > 0) {
    out.push({
      code: 'SYNC_BUSY',
      severity: 'warning',
      message: `${busy.length} conflict cop${busy.length === 1 ? 'y is' : 'ies are'} still being written by the sync engine (${busy[0]?.busy}). Wait until it is in sync, then run \`doctor --fix\`.`,
      path: busy[0]?.copy.path ?? '',
      fixable: false,
    });
  }
  const missingAliases = snap.aliases.filter((a) => a.toState.type === 'missing' || a.merge !== undefined);
  if (missingAliases.length > 0) {
    out.push({
      code: 'SYNC_ALIAS_MISSING',
      severity: 'warning',
      message: `${missingAliases.length} project folder${missingAliases.length === 1 ? '' : 's'} from another machine ha${missingAliases.length === 1 ? 's' : 've'} no alias under this machine's path (e.g. ${missingAliases[0]?.from} for ${missingAliases[0]?.to}): Claude Code here does not list ${missingAliases.length === 1 ? 'its' : 'their'} sessions. \`doctor --fix\` links ${missingAliases.some((a) => a.merge) ? 'them (merging folders that exist under both names)' : 'them'}.`,
      path: join(snap.sharedDir, missingAliases[0]?.to ?? ''),
      fixable: true,
    });
  }
  const ownMin = Math.min(Number.POSITIVE_INFINITY, ...ownAccounts.map((a) => a.cleanupPeriodDays));
  for (const m of snap.machines) {
    if (m.name === snap.machine) continue;
    if (!m.record) {
      out.push({
        code: 'SYNC_MACHINE_RECORD',
        severity: 'info',
        message: `${tilde(m.path)} is not a readable machine record (${m.error}).`,
        path: m.path,
        fixable: false,
      });
      continue;
    }
    const accounts = Array.isArray(m.record.accounts) ? m.record.accounts : [];
    const low = accounts.filter((a) => typeof a.cleanupPeriodDays === 'number' && a.cleanupPeriodDays < ownMin);
    for (const a of low) {
      out.push({
        code: 'SYNC_REMOTE_CLEANUP',
        severity: 'warning',
        message: `Machine ${m.name} (last seen ${m.record.lastSeen}) runs the account ${a.path} with cleanupPeriodDays ${a.cleanupPeriodDays}${cleanupSourceText(a.source)}, lower than any here (${Number.isFinite(ownMin) ? ownMin : 'none'}): its Claude Code deletes shared sessions older than ${a.cleanupPeriodDays} days, and the sync engine deletes them here too. ${remoteFix(a.source, m.name)}`,
        path: m.path,
        fixable: false,
      });
    }
  }
  return out;
}

/** ` (set by <file>, <kind>)` for a record's source, or nothing for a record without one. */
export function cleanupSourceText(source: { kind?: unknown; path?: unknown } | undefined): string {
  if (source === undefined || typeof source.path !== 'string') return '';
  const kind =
    source.kind === 'managed'
      ? 'managed settings'
      : source.kind === 'project' || source.kind === 'project-local'
        ? 'project settings'
        : source.kind === 'account'
          ? "the account's settings"
          : 'settings';
  return ` (from ${source.path}, ${kind})`;
}

/** What to do on the other machine about a low period from `source`. */
function remoteFix(source: { kind?: unknown; path?: unknown } | undefined, machine: string): string {
  if (source?.kind === 'managed') {
    return `Ask whoever manages Claude Code on ${machine} to remove or raise cleanupPeriodDays in ${String(source.path)}.`;
  }
  if (source?.kind === 'project' || source?.kind === 'project-local') {
    return `On ${machine}, remove "cleanupPeriodDays" from ${String(source.path)} or raise it (\`doctor\` there reports it).`;
  }
  return `Run \`claude-shared-sessions doctor --fix\` on ${machine}.`;
}
