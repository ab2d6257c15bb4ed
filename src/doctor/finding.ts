import type { FindingCode } from '../codes.js';

/** How much a finding matters: `doctor` exits 2 on an error or a warning, not on a note. */
export type FindingSeverity = 'error' | 'warning' | 'info';

/** One thing `diagnose` found on the disk, with what to do about it in `message`. */
export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** What was found and what to do, in words (paths under the home folder as `~/...`). */
  message: string;
  /** The config dir it is about, when it is about one. */
  account?: string;
  path?: string;
  /** True when `doctor --fix` can repair it through a plan. */
  fixable: boolean;
}

/** Errors first, then warnings, then notes; the order found within each. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}
