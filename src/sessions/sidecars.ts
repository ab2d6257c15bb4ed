/**
 * The two sidecar files of a session that change how it is listed, in
 * `projects/<project>/<session-id>/`: `custom-title.json` (written by `/rename` in the
 * TUI) and `archived.json` (written by the SDK's `archiveSession`).
 */
import type { FileSystem } from '../fs/types.js';

/** archived.json larger than this is ignored, as Claude Code ignores it. */
const ARCHIVED_MAX_BYTES = 4096;
/** custom-title.json larger than this is not read (Claude Code reads any size; a title is tiny). */
const TITLE_MAX_BYTES = 1 << 20;
const TITLE_MAX_CODE_POINTS = 200;

/** A sidecar title as Claude Code shows it: control and format characters out, 200 code points. */
export function cleanSidecarTitle(title: string): string {
  const spaced = title.trim().replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ');
  const stripped = spaced.replace(/[\x00-\x1f\x7f-\x9f]/g, '');
  return [...stripped].slice(0, TITLE_MAX_CODE_POINTS).join('').trim();
}

async function readSmall(fs: FileSystem, path: string, max: number, followLinks: boolean): Promise<string | undefined> {
  try {
    const st = followLinks ? await fs.stat(path) : await fs.lstat(path);
    if (st.type !== 'file' || st.size > max) return undefined;
    const bytes = await fs.readFile(path);
    // Buffer keeps a BOM, as Claude Code's reader does (and then fails to parse it).
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  } catch {
    // Any error (EACCES, EIO, ...) reads as "no sidecar", on purpose: the listing shows
    // what Claude Code shows, and its readers do the same. In SDK 0.3.332 (sdk.mjs) the
    // custom-title reader is `try { return await readFile(path, 'utf8') } catch { return }`
    // and the archived.json reader returns undefined from its catch as well, so an
    // unreadable sidecar lists the session untitled and not archived in `claude --resume`
    // too. Reporting it here would make this listing disagree with the picker.
    return undefined;
  }
}

/** A small JSON file holding an object, or undefined when absent, too big or not an object. */
async function readSmallObject(
  fs: FileSystem,
  path: string,
  maxBytes: number,
  followLinks: boolean,
): Promise<Record<string, unknown> | undefined> {
  const text = await readSmall(fs, path, maxBytes, followLinks);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/** The title in `custom-title.json`, or undefined when there is none that can be shown. */
export async function readSidecarTitle(fs: FileSystem, path: string): Promise<string | undefined> {
  const value = await readSmallObject(fs, path, TITLE_MAX_BYTES, true);
  if (value === undefined) return undefined;
  const title = value.customTitle;
  if (typeof title !== 'string') return undefined;
  return cleanSidecarTitle(title) || undefined;
}

/** ISO 8601 date-time with a `Z` or `±hh:mm` offset, as the SDK's schema requires. */
const DATETIME_RE =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

export interface ArchivedState {
  archived: boolean;
  /** When it was archived, ms since the epoch (NaN when the date does not parse). */
  atMs: number;
}

/** The content of `archived.json`, or undefined when absent or not in the expected shape. */
export async function readArchived(fs: FileSystem, path: string): Promise<ArchivedState | undefined> {
  const value = await readSmallObject(fs, path, ARCHIVED_MAX_BYTES, false);
  if (value === undefined) return undefined;
  const { archived, at } = value;
  if (typeof archived !== 'boolean' || typeof at !== 'string' || !DATETIME_RE.test(at)) return undefined;
  return { archived, atMs: Date.parse(at) };
}
