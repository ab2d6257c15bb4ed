import { SETTINGS_ABSENT_SUFFIX } from '../layout/names.js';
import type { CleanupPeriodChange, Operation, Plan } from './types.js';

export interface DescribeOptions {
  /** List every operation after the summary. @default false */
  verbose?: boolean;
}

/** Groups shown in this order; each lists its paths when there are few of them. */
const GROUPS: { key: string; label: string; list: boolean; match: (op: Operation) => boolean }[] = [
  { key: 'mkdir', label: 'create folders', list: false, match: (op) => op.type === 'mkdir' && op.reason !== 'restore' },
  {
    key: 'superseded',
    label: 'move shorter copies aside (a longer copy replaces them)',
    list: false,
    match: (op) => op.type === 'rename' && op.reason === 'superseded',
  },
  {
    key: 'aside-rename',
    label: 'move diverged copies out of the shared folder into the conflicts folder',
    list: false,
    match: (op) => op.type === 'rename' && op.reason === 'conflict-kept',
  },
  {
    key: 'new',
    label: 'copy new files into the shared folder',
    list: false,
    match: (op) => op.type === 'copyFile' && op.reason === 'new',
  },
  {
    key: 'longer',
    label: 'copy longer copies of transcripts',
    list: false,
    match: (op) => op.type === 'copyFile' && op.reason === 'longer',
  },
  {
    key: 'newest-diverged',
    label: 'copy the newest copy of diverged sessions',
    list: false,
    match: (op) => op.type === 'copyFile' && op.reason === 'newest-diverged',
  },
  {
    key: 'conflict-kept',
    label: 'keep other copies in the conflicts folder',
    list: false,
    match: (op) => op.type === 'copyFile' && op.reason === 'conflict-kept',
  },
  {
    key: 'fork',
    label: 'fork diverged copies as new sessions',
    list: true,
    match: (op) => op.type === 'forkSession' && op.reason === 'fork',
  },
  {
    key: 'fork-sidecar',
    label: "copy forked sessions' sidecar files (subagents, tool results) under the new id",
    list: false,
    match: (op) => op.type === 'copyFile' && op.reason === 'fork-sidecar',
  },
  {
    key: 'cleanup-period',
    label: 'cleanupPeriodDays in settings.json',
    list: true,
    match: (op) =>
      (op.type === 'writeFile' && op.reason !== 'sync-setup') ||
      (op.type === 'rename' && op.reason === 'cleanup-period'),
  },
  {
    key: 'sync-setup',
    label: 'write the sync set-up (ignore file, path maps, this machine’s record)',
    list: true,
    match: (op) => op.type === 'writeFile' && op.reason === 'sync-setup',
  },
  {
    key: 'sync-fold',
    label: 'fold sync-conflict copies back into their sessions',
    list: true,
    match: (op) => op.type === 'rename' && (op.reason === 'longer' || op.reason === 'new'),
  },
  {
    key: 'alias',
    label: 'link project folders under this machine’s paths (aliases)',
    list: true,
    match: (op) => op.type === 'symlink' && op.reason === 'alias',
  },
  {
    key: 'recover',
    label: 'bring back shared files deleted since (from their retained links)',
    list: true,
    match: (op) => op.type === 'hardLink' && op.reason === 'recover',
  },
  {
    key: 'prune',
    label: 'let go of retained links of shared files deleted on purpose (their space is released)',
    list: true,
    match: (op) => op.type === 'removeFile' && op.reason === 'prune',
  },
  {
    key: 'retain',
    label: 'keep hard links of shared files (retained, outside projects/)',
    list: false,
    match: (op) => op.type === 'hardLink' && op.reason === 'retain',
  },
  {
    key: 'backup',
    label: 'back up folders',
    list: true,
    match: (op) => op.type === 'rename' && op.reason === 'backup',
  },
  { key: 'link', label: 'link folders to the shared folder', list: true, match: (op) => op.type === 'symlink' },
  { key: 'unlink', label: 'remove links to the shared folder', list: true, match: (op) => op.type === 'unlinkSymlink' },
  {
    key: 'restore',
    label: 'put backups back',
    list: true,
    match: (op) => (op.type === 'rename' || op.type === 'mkdir') && op.reason === 'restore',
  },
  {
    key: 'carry',
    label: 'carry files back from the shared folder',
    list: false,
    match: (op) => op.type === 'copyFile' && op.reason === 'carry',
  },
];

/**
 * Bytes for people, in powers of 1000 (like `ls -h --si`).
 *
 * @example
 * formatBytes(1500) // '1.5 KB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const u of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = u;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

function bytesOf(op: Operation): number {
  if (op.type === 'copyFile' || op.type === 'forkSession') return op.expectFrom.size;
  if (op.type === 'rename' && op.expectFrom.type === 'file') return op.expectFrom.size;
  if (op.type === 'writeFile') return new TextEncoder().encode(op.content).length;
  if (op.type === 'removeFile') return op.expect.size;
  return 0;
}

/**
 * Text with control characters shown as escapes (`\n`, `\t`, `\x1b`, ...): a file named
 * with a newline or a terminal escape must not forge a line of the plan or drive the
 * terminal when the plan is shown.
 *
 * @example
 * printable('a\nb') // 'a\\nb'
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

function line(op: Operation): string {
  return printable(rawLine(op));
}

function rawLine(op: Operation): string {
  switch (op.type) {
    case 'mkdir':
      return `mkdir ${op.path}`;
    case 'copyFile':
    case 'forkSession':
      return `${op.type} ${op.from} -> ${op.to}`;
    case 'rename':
      if (op.cleanupPeriodDays?.restore) {
        return `${restoreText(op.cleanupPeriodDays)}: remove ${op.from}, which share created (kept as ${op.to})`;
      }
      return `${op.type} ${op.from} -> ${op.to}`;
    case 'hardLink':
      return `link ${op.from} -> ${op.to}`;
    case 'symlink':
      return `symlink ${op.path} -> ${op.linkText ?? op.target}`;
    case 'unlinkSymlink':
      return `unlink ${op.path}`;
    case 'removeFile':
      return `remove ${op.path} (${formatBytes(op.expect.size)})`;
    case 'writeFile': {
      const kept = op.backupTo ? ` (old file kept as ${op.backupTo})` : '';
      const c = op.cleanupPeriodDays;
      if (c?.restore) return `${restoreText(c)} in ${op.path}${kept}`;
      if (!c) {
        if (op.reason === 'cleanup-period' && op.path.endsWith(SETTINGS_ABSENT_SUFFIX)) {
          return `record that ${op.path.slice(0, op.path.lastIndexOf('.bak.'))} did not exist (for rollback): ${op.path}`;
        }
        return `write ${op.path}${kept}`;
      }
      const verb = c.to > c.from ? 'raise' : c.to < c.from ? 'lower' : 'set';
      const change = c.fromSet
        ? `${verb} cleanupPeriodDays from ${c.from} to ${c.to}`
        : `set cleanupPeriodDays to ${c.to} (unset: ${c.from} days by default${verb === 'set' ? '' : `, so this ${verb}s it`})`;
      return `${change} in ${op.path}${kept}`;
    }
  }
}

/** Rollback's line for an account's own period put back. */
function restoreText(c: CleanupPeriodChange): string {
  const now = c.fromSet ? `${c.from}` : `unset, ${c.from} by default`;
  return c.toSet === false
    ? `restore cleanupPeriodDays to unset as before sharing (Claude Code's default, ${c.to} days; now ${now})`
    : `restore cleanupPeriodDays to ${c.to} as before sharing (now ${now})`;
}

/**
 * Renders a plan for people: a header, the conflicts and warnings first, then the
 * operations grouped by what they do, with counts and sizes (and the paths of the few
 * that matter one by one: backups, links, settings). With `verbose`, every operation in
 * order. Plain text, no colour.
 *
 * @example
 * ```ts
 * console.log(describePlan(await share({ accounts: ['~/.claude', '~/.claude-2'] })));
 * // share plan 3f2c… made 2026-11-27T06:00:00.000Z: 41 operations, 1 conflict, 0 warnings
 * // Conflicts (1):
 * //   ! diverged cd132a96-…: …
 * ```
 */
export function describePlan(plan: Plan, options: DescribeOptions = {}): string {
  const out: string[] = [];
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  out.push(
    `${plan.kind} plan ${printable(plan.id)} made ${printable(plan.createdAt)}: ${n(plan.operations.length, 'operation')}, ${n(plan.conflicts.length, 'conflict')}, ${n(plan.warnings.length, 'warning')}`,
  );
  out.push(`  accounts: ${printable(plan.accounts.join(', ')) || 'none'}`);
  for (const [folder, dir] of Object.entries(plan.sharedDirs)) out.push(`  shared ${folder}: ${printable(dir)}`);

  if (plan.conflicts.length > 0) {
    out.push('', `Conflicts (${plan.conflicts.length}):`);
    for (const c of plan.conflicts) {
      out.push(printable(`  ! ${c.code}${c.sessionId ? ` ${c.sessionId}` : ''} [${c.resolution}]: ${c.message}`));
    }
  }
  if (plan.warnings.length > 0) {
    out.push('', `Warnings (${plan.warnings.length}):`);
    for (const w of plan.warnings) out.push(printable(`  ! ${w.code}: ${w.message}`));
  }

  out.push('');
  if (plan.operations.length === 0) {
    out.push('Nothing to do.');
    return out.join('\n');
  }
  out.push(`Operations (${plan.operations.length}, in order of execution):`);
  const seen = new Set<Operation>();
  for (const group of GROUPS) {
    const ops = plan.operations.filter((op) => !seen.has(op) && group.match(op));
    if (ops.length === 0) continue;
    for (const op of ops) seen.add(op);
    const bytes = ops.reduce((sum, op) => sum + bytesOf(op), 0);
    out.push(`  ${group.label}: ${ops.length}${bytes > 0 ? `, ${formatBytes(bytes)}` : ''}`);
    if (group.list) for (const op of ops) out.push(`    ${line(op)}`);
  }
  const rest = plan.operations.filter((op) => !seen.has(op));
  if (rest.length > 0) out.push(`  other: ${rest.length}`);
  if (options.verbose) {
    out.push('', 'Every operation:');
    for (const op of plan.operations) out.push(`  ${op.id} ${line(op)} (${op.reason})`);
  }
  return out.join('\n');
}
