/** Claude Code's project folder name for a (short) working directory. */
export function encode(dir: string): string;
/** Builds the layout under `root`; returns the account and the working directories. */
export function buildScenario(root: string): {
  acct: string;
  dirs: { app: string; repo: string; repoWt: string; repoWt2: string; other: string };
};
/** A row with the scenario's root replaced by `<root>`. */
export const ROOTS_PER_TRANSCRIPT: number;
export function relative<T>(row: T, root: string): T;
