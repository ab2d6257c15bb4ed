import type { DescribeGroup } from '../operations/base.js';
import { specOf } from '../operations/table.js';
import { formatBytes } from '../util/format.js';
import type { Operation, Plan } from './types.js';

export interface DescribeOptions {
  /** List every operation after the summary. @default false */
  verbose?: boolean;
}

/** Groups shown in this order; each lists its paths when there are few of them. Each operation type says which group it is in (`group` in the operation table). */
const GROUPS: { key: DescribeGroup; label: string; list: boolean }[] = [
  { key: 'mkdir', label: 'create folders', list: false },
  { key: 'superseded', label: 'move shorter copies aside (a longer copy replaces them)', list: false },
  {
    key: 'aside-rename',
    label: 'move diverged copies out of the shared folder into the conflicts folder',
    list: false,
  },
  { key: 'new', label: 'copy new files into the shared folder', list: false },
  { key: 'longer', label: 'copy longer copies of transcripts', list: false },
  { key: 'newest-diverged', label: 'copy the newest copy of diverged sessions', list: false },
  { key: 'conflict-kept', label: 'keep other copies in the conflicts folder', list: false },
  { key: 'fork', label: 'fork diverged copies as new sessions', list: true },
  {
    key: 'fork-sidecar',
    label: "copy forked sessions' sidecar files (subagents, tool results) under the new id",
    list: false,
  },
  { key: 'cleanup-period', label: 'cleanupPeriodDays in settings.json', list: true },
  { key: 'sync-setup', label: 'write the sync set-up (ignore file, path maps, this machine’s record)', list: true },
  { key: 'sync-fold', label: 'fold sync-conflict copies back into their sessions', list: true },
  { key: 'alias', label: 'link project folders under this machine’s paths (aliases)', list: true },
  { key: 'recover', label: 'bring back shared files deleted since (from their retained links)', list: true },
  {
    key: 'prune',
    label: 'let go of retained links of shared files deleted on purpose (their space is released)',
    list: true,
  },
  { key: 'prune-dirs', label: 'remove the retained folders the pruned links leave empty', list: false },
  { key: 'retain', label: 'keep hard links of shared files (retained, outside projects/)', list: false },
  { key: 'backup', label: 'back up folders', list: true },
  { key: 'link', label: 'link folders to the shared folder', list: true },
  { key: 'unlink', label: 'remove links to the shared folder', list: true },
  { key: 'restore', label: 'put backups back', list: true },
  { key: 'carry', label: 'carry files back from the shared folder', list: false },
];

export { formatBytes };

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
  return printable(specOf(op).describe(op));
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
  const byGroup = new Map<DescribeGroup | undefined, Operation[]>();
  for (const op of plan.operations) {
    const group = specOf(op).group(op);
    const ops = byGroup.get(group);
    if (ops === undefined) byGroup.set(group, [op]);
    else ops.push(op);
  }
  for (const group of GROUPS) {
    const ops = byGroup.get(group.key);
    if (ops === undefined) continue;
    const bytes = ops.reduce((sum, op) => sum + specOf(op).bytesShown(op), 0);
    out.push(`  ${group.label}: ${ops.length}${bytes > 0 ? `, ${formatBytes(bytes)}` : ''}`);
    if (group.list) for (const op of ops) out.push(`    ${line(op)}`);
  }
  const rest = byGroup.get(undefined) ?? [];
  if (rest.length > 0) out.push(`  other: ${rest.length}`);
  if (options.verbose) {
    out.push('', 'Every operation:');
    for (const op of plan.operations) out.push(`  ${op.id} ${line(op)} (${op.reason})`);
  }
  return out.join('\n');
}
