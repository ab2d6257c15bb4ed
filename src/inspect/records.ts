/**
 * What Claude Code records per account about the sessions it worked on, read to tell
 * which account a session made while shared belongs to.
 *
 * Checked with the real CLI 2.1.332 (mock API, `CLAUDE_CONFIG_DIR=<account>`):
 * - the TUI appends one line per prompt to `<config>/history.jsonl`:
 *   `{"display","pastedContents","timestamp","project","sessionId"}` (slash commands too);
 * - `claude -p` (print mode, the SDK) writes nothing outside `projects/`: no
 *   `history.jsonl` line, no `.claude.json` project entry, and its `sessions/<pid>.json`
 *   is removed on exit;
 * - `.claude.json` keeps only `projects[cwd].lastSessionId`, the last TUI session of each
 *   project, which history.jsonl has too; it also holds the account's state, so the
 *   library does not read it;
 * - `sessions/<pid>.json` lists running processes only.
 * On the 2.1.332 fixture, the 5 sessions with history lines are exactly the TUI ones,
 * each in the history of the account whose folder holds it; the 27 print-mode sessions
 * have none.
 */
import { join } from 'node:path';
import type { FileSystem } from '../fs/types.js';

/** Larger history files are not read (the account then owns nothing by its records). */
const HISTORY_MAX = 256 << 20;

/**
 * The sessions an account's `history.jsonl` names, each with the time (ms) of its newest
 * prompt there. Missing, unreadable or oversized files give `{}`; malformed lines are
 * skipped.
 *
 * @example
 * await readSessionRecords(fs, '/home/u/.claude') // { 'c335fa97-…': 1795761116629 }
 */
export async function readSessionRecords(fs: FileSystem, configDir: string): Promise<Record<string, number>> {
  const path = join(configDir, 'history.jsonl');
  const out: Record<string, number> = {};
  let text: string;
  try {
    const st = await fs.lstat(path);
    if (st.type !== 'file' || st.size > HISTORY_MAX) return out;
    text = new TextDecoder().decode(await fs.readFile(path));
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"sessionId"')) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof record !== 'object' || record === null) continue;
    const { sessionId, timestamp } = record as { sessionId?: unknown; timestamp?: unknown };
    if (typeof sessionId !== 'string' || sessionId === '') continue;
    const ms = typeof timestamp === 'number' && Number.isFinite(timestamp) ? Math.trunc(timestamp) : 0;
    out[sessionId] = Math.max(out[sessionId] ?? 0, ms);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
