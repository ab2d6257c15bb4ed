/**
 * Reads a session's listing fields out of the first and last 64 KB of its transcript,
 * by the rules Claude Code's SDK uses (docs/listing.md), without decoding or parsing
 * whole windows: byte searches find the few lines that can hold a field, and only those
 * lines are decoded and parsed. Pure and synchronous.
 */
import { isSessionId } from '../layout/names.js';
import { humanPromptTime, type PromptState, promptOfLine } from './prompt.js';
import type { SdkSessionInfo } from './types.js';

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const patterns = new Map<string, Buffer>();
/** Search patterns, encoded once. */
function pat(text: string): Buffer {
  let b = patterns.get(text);
  if (b === undefined) {
    b = Buffer.from(text, 'latin1');
    patterns.set(text, b);
  }
  return b;
}

/** One window of bytes, with the searches more than one field needs done once. */
export class Text {
  readonly buf: Buffer;
  readonly #found = new Map<string, number[]>();

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  lineStart(pos: number): number {
    return pos === 0 ? 0 : this.buf.lastIndexOf(NL, pos - 1) + 1;
  }

  lineEnd(pos: number): number {
    const end = this.buf.indexOf(NL, pos);
    return end === -1 ? this.buf.length : end;
  }

  decode(start: number, end: number): string {
    return this.buf.toString('utf8', start, end);
  }

  /** Whether bytes [start, end) contain `text`. */
  has(start: number, end: number, text: string): boolean {
    const p = pat(text);
    if (end - start < p.length) return false;
    return this.buf.subarray(start, end).indexOf(p) !== -1;
  }

  /** Whether `text` is at `pos`. */
  at(pos: number, text: string): boolean {
    const p = pat(text);
    return pos >= 0 && pos + p.length <= this.buf.length && this.buf.compare(p, 0, p.length, pos, pos + p.length) === 0;
  }

  /**
   * Every position of `text` in the window, in order, found by searching for `anchor`
   * (a rarer part of it, `anchorAt` bytes in) and checking the rest: a search for a
   * pattern that starts with a quote crawls through JSON, where quotes are everywhere.
   */
  all(text: string, anchor = text, anchorAt = 0): number[] {
    const key = `${text}\n${anchorAt}`;
    let found = this.#found.get(key);
    if (found === undefined) {
      found = this.#hits(anchor)
        .filter((hit) => this.at(hit - anchorAt, text))
        .map((hit) => hit - anchorAt);
      this.#found.set(key, found);
    }
    return found;
  }

  #hits(anchor: string): number[] {
    let hits = this.#found.get(anchor);
    if (hits === undefined) {
      hits = [];
      const a = pat(anchor);
      for (let hit = this.buf.indexOf(a); hit !== -1; hit = this.buf.indexOf(a, hit + 1)) hits.push(hit);
      this.#found.set(anchor, hits);
    }
    return hits;
  }
}

/** Index of the quote closing a JSON string whose content starts at `start`, or -1. */
function closingQuote(buf: Buffer, start: number): number {
  let from = start;
  for (;;) {
    const q = buf.indexOf(QUOTE, from);
    if (q === -1) return -1;
    let backslashes = 0;
    for (let k = q - 1; k >= start && buf[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** A JSON string's content, unescaped; kept raw when the escapes are invalid. */
function stringValue(text: Text, start: number, end: number): string {
  const raw = text.decode(start, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** Where the string value starts after a `"key":` at `pos`: 1 for `"`, 2 for ` "`, else 0. */
function opener(text: Text, afterColon: number): 0 | 1 | 2 {
  const b = text.buf;
  if (b[afterColon] === QUOTE) return 1;
  if (b[afterColon] === 0x20 && b[afterColon + 1] === QUOTE) return 2;
  return 0;
}

/**
 * The value after the first `"key":"` in the window, else after the first `"key": "`
 * (whose string must close), as the SDK reads head fields.
 */
export function firstString(text: Text, key: string): string | undefined {
  const keyPat = `"${key}":`;
  const len = pat(keyPat).length;
  const buf = text.buf;
  let firstSpaced = -1;
  for (let at = buf.indexOf(pat(keyPat)); at !== -1; at = buf.indexOf(pat(keyPat), at + 1)) {
    const kind = opener(text, at + len);
    if (kind === 2 && firstSpaced === -1) firstSpaced = at;
    if (kind !== 1) continue;
    const start = at + len + 1;
    const end = closingQuote(buf, start);
    if (end !== -1) return stringValue(text, start, end);
    // The first plain one does not close: the SDK then takes the first spaced one.
    if (firstSpaced === -1) {
      const spaced = buf.indexOf(pat(`"${key}": "`));
      firstSpaced = spaced;
    }
    break;
  }
  if (firstSpaced === -1) return undefined;
  const start = firstSpaced + len + 2;
  const end = closingQuote(buf, start);
  return end === -1 ? undefined : stringValue(text, start, end);
}

/** The value after the last `"key":"` or `"key": "` in the window whose string closes. */
export function lastString(text: Text, key: string): string | undefined {
  const p = pat(`"${key}":`);
  const buf = text.buf;
  for (let at = buf.lastIndexOf(p); at !== -1; at = at === 0 ? -1 : buf.lastIndexOf(p, at - 1)) {
    const kind = opener(text, at + p.length);
    if (kind === 0) continue;
    const start = at + p.length + kind;
    const end = closingQuote(buf, start);
    if (end !== -1) return stringValue(text, start, end);
  }
  return undefined;
}

/** A top-level string field of a JSON line; null when the line does not parse. */
function fieldOfLine(line: string, key: string, type: string | undefined): string | undefined | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (type !== undefined && record.type !== type) return undefined;
  const field = record[key];
  return typeof field === 'string' ? field : undefined;
}

function* reversed(positions: readonly number[]): Generator<number> {
  for (let i = positions.length - 1; i >= 0; i--) yield positions[i] as number;
}

/**
 * Anchors for the keys read from whole lines: a part of `"key":` that starts with a rare
 * byte, and its offset. (A search runs at memchr speed on its first byte and then checks
 * each hit: a pattern that starts with a quote stops everywhere in JSON.)
 */
const KEY_ANCHORS: Record<string, [string, number]> = {
  customTitle: ['Title":', 7],
  aiTitle: ['Title":', 3],
  lastPrompt: ['Prompt"', 5],
  relocatedCwd: ['Cwd":', 10],
  summary: ['mmary"', 3],
  tag: ['g":', 3],
};

/** Whitespace as JSON.parse skips it around a value (no newline inside a line). */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * Whether a JSON line may have `key` as a key of its top-level object: false only when
 * no string directly inside the outermost braces is `key` (or holds an escape that could
 * spell it). Lines that are not JSON may get either answer; they do not parse anyway.
 * Scans the structure only (strings are skipped to their closing quote), so that the
 * long lines that merely nest the key (request shapes, attachments) are not decoded and
 * parsed for nothing.
 */
function mayHaveTopLevelKey(buf: Buffer, start: number, end: number, key: string): boolean {
  // Only `{…}` parses as an object (JSON whitespace aside): a line cut by the window's
  // start, which often nests the key in a long request or attachment, is no object.
  let first = start;
  while (first < end && isJsonSpace(buf[first] as number)) first++;
  let last = end - 1;
  while (last > first && isJsonSpace(buf[last] as number)) last--;
  if (buf[first] !== 0x7b || buf[last] !== 0x7d || last === first) return false;
  const k = pat(key);
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      const close = closingQuote(buf, i + 1);
      if (close === -1 || close >= end) return false; // the string does not close on this line
      if (depth === 1) {
        const len = close - i - 1;
        if (len === k.length && buf.compare(k, 0, len, i + 1, close) === 0) return true;
        if (buf.subarray(i + 1, close).includes(BACKSLASH)) return true;
      }
      i = close;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The string field `key` of the last line (of `type`, when given) that parses and has
 * it. With `recoverGlued`, a line glued to the rest of a line cut short by a crash is
 * read from its own `{"type":...` on, as Claude Code does for titles and tags.
 */
export function lastLineField(
  text: Text,
  key: string,
  type?: string,
  recoverGlued = false,
  spacedType = recoverGlued,
): string | undefined {
  const keyPat = `"${key}":`;
  const [anchor, anchorAt] = KEY_ANCHORS[key] ?? [keyPat, 0];
  const found = reversed(text.all(keyPat, anchor, anchorAt));
  const typePats =
    type === undefined ? [] : spacedType ? [`"type":"${type}"`, `"type": "${type}"`] : [`"type":"${type}"`];
  let lineFloor = Number.POSITIVE_INFINITY;
  for (const at of found) {
    if (at >= lineFloor) continue; // another occurrence in a line already read
    const start = text.lineStart(at);
    const end = text.lineEnd(at);
    lineFloor = start;
    if (typePats.length > 0 && !typePats.some((p) => text.has(start, end, p))) continue;
    // Without a type to check first, a line is parsed only if its top level may hold the key.
    if (typePats.length === 0 && !recoverGlued && !mayHaveTopLevelKey(text.buf, start, end, key)) continue;
    const line = text.decode(start, end);
    let value = fieldOfLine(line, key, type);
    if (value === null && recoverGlued) {
      const glued = line.lastIndexOf(`{${typePats[0]}`);
      value = glued > 0 && !':,['.includes(line.charAt(glued - 1)) ? fieldOfLine(line.slice(glued), key, type) : null;
    }
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** Calls `visit` on each line holding `"type":"user"` (or `"type": "user"`), in order, until it returns true. */
function forEachUserLine(text: Text, visit: (start: number, end: number) => boolean): void {
  const value = pat('"user"');
  let from = 0;
  while (from < text.buf.length) {
    let at = text.buf.indexOf(value, from);
    while (at !== -1 && !text.at(at - 7, '"type":') && !text.at(at - 8, '"type": ')) {
      at = text.buf.indexOf(value, at + 1);
    }
    if (at === -1) return;
    const start = text.lineStart(at);
    const end = text.lineEnd(at);
    if (visit(start, end)) return;
    from = end + 1;
  }
}

function isMetaLine(text: Text, start: number, end: number): boolean {
  return (
    text.has(start, end, '"tool_result"') ||
    text.has(start, end, '"isMeta":true') ||
    text.has(start, end, '"isMeta": true') ||
    text.has(start, end, '"isCompactSummary":true') ||
    text.has(start, end, '"isCompactSummary": true')
  );
}

/** The first prompt in the head, else the first slash command, else ''. */
export function firstPrompt(head: Text): string {
  const state: PromptState = { commandFallback: '' };
  let found: string | undefined;
  forEachUserLine(head, (start, end) => {
    if (isMetaLine(head, start, end)) return false;
    let line: unknown;
    try {
      line = JSON.parse(head.decode(start, end));
    } catch {
      return false;
    }
    found = promptOfLine(line, state);
    return found !== undefined;
  });
  return found ?? state.commandFallback;
}

/** `Image` or `Document` when the first prompt with media has no text, else ''. */
export function mediaPrompt(head: Text): string {
  let found = '';
  forEachUserLine(head, (start, end) => {
    if (
      head.has(start, end, '"tool_result"') ||
      head.has(start, end, '"isMeta":true') ||
      head.has(start, end, '"isMeta": true')
    ) {
      return false;
    }
    if (head.has(start, end, '"type":"image"') || head.has(start, end, '"type": "image"')) found = 'Image';
    else if (head.has(start, end, '"type":"document"') || head.has(start, end, '"type": "document"'))
      found = 'Document';
    return found !== '';
  });
  return found;
}

const PROGRAMMATIC_ENTRYPOINTS = new Set(['sdk-cli', 'sdk-ts', 'sdk-py']);

/** Begun from `claude -p`, the SDK, or a daemon: hidden from the `/resume` picker. */
export function isProgrammatic(head: Text, tail: Text): boolean {
  const entrypoint = firstString(head, 'entrypoint') ?? lastString(tail, 'entrypoint');
  if (entrypoint !== undefined && PROGRAMMATIC_ENTRYPOINTS.has(entrypoint)) return true;
  // sessionKind is read from the first message line (the first with a parentUuid).
  const anchor = head.buf.indexOf(pat('"parentUuid":'));
  const scope = anchor === -1 ? head : new Text(head.buf.subarray(head.lineStart(anchor), head.lineEnd(anchor)));
  const kind = firstString(scope, 'sessionKind');
  return kind === 'daemon' || kind === 'daemon-worker';
}

/** A sidechain (subagent) transcript: its first line says so. */
export function isSidechain(head: Text): boolean {
  const end = head.lineEnd(0);
  // `"isSidechain":true` or `"isSidechain": true`, found by its rare capital.
  const line = head.buf.subarray(0, end);
  const anchor = pat('Sidechain":');
  for (let at = line.indexOf(anchor); at !== -1; at = line.indexOf(anchor, at + 1)) {
    const value = at + anchor.length;
    if (!head.at(at - 3, '"isSidechain":')) continue;
    if ((head.at(value, 'true') && value + 4 <= end) || (head.at(value, ' true') && value + 5 <= end)) return true;
  }
  return false;
}

/**
 * The session this one was continued in, when its last word is a `continued-in` line
 * (no real turn after it); Claude Code then hides this one if that file is a transcript.
 */
export function continuedIn(tail: Text): string | undefined {
  const marker = '"type":"continued-in"';
  if (tail.all(marker, 'ype":"c', 2).length === 0) return undefined;
  let end = tail.buf.length;
  for (;;) {
    const start = end === 0 ? 0 : tail.buf.lastIndexOf(NL, end - 1) + 1;
    const isMarker = tail.has(start, end, marker);
    const isTurn = tail.has(start, end, '"type":"user"') || tail.has(start, end, '"type":"assistant"');
    if (isMarker || isTurn) {
      let line: unknown;
      try {
        line = JSON.parse(tail.decode(start, end));
      } catch {
        line = undefined;
      }
      if (typeof line === 'object' && line !== null) {
        const record = line as Record<string, unknown>;
        if (isMarker && record.type === 'continued-in' && typeof record.continuedInSessionId === 'string') {
          return isSessionId(record.continuedInSessionId) ? record.continuedInSessionId : undefined;
        }
        if (isTurn && isRealTurn(record)) return undefined;
      }
    }
    if (start === 0) return undefined;
    end = start - 1;
  }
}

function isRealTurn(line: Record<string, unknown>): boolean {
  if (line.type === 'assistant' && !Array.isArray(line)) {
    const message = line.message;
    const okError = line.isApiErrorMessage === undefined || typeof line.isApiErrorMessage === 'boolean';
    const okMessage =
      message === undefined ||
      (typeof message === 'object' &&
        message !== null &&
        !Array.isArray(message) &&
        ((message as Record<string, unknown>).stop_reason === undefined ||
          (message as Record<string, unknown>).stop_reason === null ||
          typeof (message as Record<string, unknown>).stop_reason === 'string'));
    if (okError && okMessage) {
      return (
        line.isApiErrorMessage !== true &&
        typeof (message as Record<string, unknown> | undefined)?.stop_reason === 'string'
      );
    }
  }
  return !Array.isArray(line) && promptOfLine(line, { commandFallback: '' }) !== undefined;
}

/** The listing's fields that come from a transcript's windows, as the SDK names them. */
export type FieldsFromWindows = Pick<
  SdkSessionInfo,
  'summary' | 'customTitle' | 'firstPrompt' | 'gitBranch' | 'cwd' | 'tag' | 'createdAt'
>;

/**
 * The fields of a session from its windows, the tail's title ({@link tailCustomTitle})
 * and the sidecar title read when the tail has none; undefined when there is no summary
 * (Claude Code does not list such a session).
 */
export function fieldsFromWindows(
  head: Text,
  tail: Text,
  tailTitle: string | undefined,
  sidecarTitle: string | undefined,
): FieldsFromWindows | undefined {
  const customTitle =
    tailTitle ||
    sidecarTitle ||
    lastLineField(head, 'customTitle', 'custom-title', true) ||
    lastLineField(tail, 'aiTitle', 'ai-title', true) ||
    lastLineField(head, 'aiTitle', 'ai-title', true) ||
    undefined;
  const prompt = firstPrompt(head) || undefined;
  const summary =
    customTitle || lastLineField(tail, 'lastPrompt') || lastLineField(tail, 'summary') || prompt || mediaPrompt(head);
  if (!summary) return undefined;
  const fields: FieldsFromWindows = { summary };
  if (customTitle !== undefined) fields.customTitle = customTitle;
  if (prompt !== undefined) fields.firstPrompt = prompt;
  const gitBranch = lastString(tail, 'gitBranch') || firstString(head, 'gitBranch');
  if (gitBranch) fields.gitBranch = gitBranch;
  const cwd = lastLineField(tail, 'relocatedCwd', 'relocated') || firstString(head, 'cwd');
  if (cwd) fields.cwd = cwd;
  const tag = lastLineField(tail, 'tag', 'tag', true);
  if (tag) fields.tag = tag;
  const created = firstString(head, 'timestamp');
  if (created) {
    const ms = Date.parse(created);
    if (!Number.isNaN(ms)) fields.createdAt = ms;
  }
  return fields;
}

/** The last title line in the tail, which decides whether the sidecar title is read. */
export function tailCustomTitle(tail: Text): string | undefined {
  return lastLineField(tail, 'customTitle', 'custom-title', true);
}

/** Whether a prompt typed by a person in either window is newer than `atMs`. */
export function promptedAfter(head: Text, tail: Text, atMs: number): boolean {
  const scan = (t: Text): boolean => {
    const s = t.decode(0, t.buf.length);
    for (const line of s.split('\n')) {
      if (!(line.includes('"user"') || line.includes('"queued_command"')) || line.includes('"tool_result"')) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      const time = humanPromptTime(parsed);
      if (time !== undefined && time > atMs) return true;
    }
    return false;
  };
  return scan(tail) || (head.buf !== tail.buf && !head.buf.equals(tail.buf) && scan(head));
}
