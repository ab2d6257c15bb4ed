/**
 * Sets `cleanupPeriodDays` in the text of a `settings.json` while keeping every other key
 * and the file's formatting: an existing top-level value is replaced in place (every
 * occurrence, since JSON.parse keeps the last); otherwise the key is inserted as the first
 * member with the indentation the file already uses. Returns undefined when the text is
 * not a JSON object (the caller then leaves the file alone and warns).
 *
 * @example
 * setCleanupPeriodDays('{\n  "model": "opus"\n}\n', 3650)
 * // '{\n  "cleanupPeriodDays": 3650,\n  "model": "opus"\n}\n'
 */
export function setCleanupPeriodDays(text: string, days: number): string | undefined {
  const KEY = 'cleanupPeriodDays';
  const parsed = jsonObjectOf(text);
  if (parsed === undefined) return undefined;

  const scan = scanTopLevel(text);
  if (!scan) return undefined;
  let result: string;
  const values = scan.members.filter((m) => m.key === KEY);
  if (values.length > 0) {
    result = text;
    for (const m of [...values].reverse()) {
      result = result.slice(0, m.valueStart) + String(days) + result.slice(m.valueEnd);
    }
  } else {
    const open = scan.open;
    const first = scan.members[0];
    if (!first) {
      // `{}` or `{  }`: write a small pretty object in its place.
      result = `${text.slice(0, open + 1)}\n  "${KEY}": ${days}\n${text.slice(scan.close)}`;
    } else {
      const between = text.slice(open + 1, first.keyStart);
      const nl = between.lastIndexOf('\n');
      if (nl >= 0) {
        const indent = between.slice(nl + 1);
        const eol = between.slice(0, nl + 1).includes('\r\n') ? '\r\n' : '\n';
        result = `${text.slice(0, first.keyStart)}"${KEY}": ${days},${eol}${indent}${text.slice(first.keyStart)}`;
      } else {
        const colon = /:\s/.test(text.slice(first.keyEnd, first.valueStart)) ? ': ' : ':';
        const gap = between.length > 0 ? ' ' : '';
        result = `${text.slice(0, first.keyStart)}"${KEY}"${colon}${days},${gap}${text.slice(first.keyStart)}`;
      }
    }
  }
  // Prove the edit: same members, only the one key changed.
  try {
    const after = JSON.parse(result.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    const before = parsed as Record<string, unknown>;
    if (after[KEY] !== days) return undefined;
    const { [KEY]: _a, ...restAfter } = after;
    const { [KEY]: _b, ...restBefore } = before;
    if (JSON.stringify(restAfter) !== JSON.stringify(restBefore)) return undefined;
  } catch {
    return undefined;
  }
  return result;
}

/**
 * Removes `cleanupPeriodDays` from the text of a `settings.json` (every top-level
 * occurrence), keeping every other key and the file's formatting, so that Claude Code's
 * default applies again. Returns the text unchanged when the key is absent, and
 * undefined when the text is not a JSON object.
 *
 * @example
 * removeCleanupPeriodDays('{\n  "cleanupPeriodDays": 3650,\n  "model": "opus"\n}\n')
 * // '{\n  "model": "opus"\n}\n'
 */
export function removeCleanupPeriodDays(text: string): string | undefined {
  const KEY = 'cleanupPeriodDays';
  const parsed = jsonObjectOf(text);
  if (parsed === undefined) return undefined;
  let result = text;
  for (let guard = 0; guard < 1000; guard++) {
    const scan = scanTopLevel(result);
    if (!scan) return undefined;
    const at = scan.members.findLastIndex((m) => m.key === KEY);
    if (at < 0) break;
    const m = scan.members[at] as Member;
    const next = scan.members[at + 1];
    const prev = scan.members[at - 1];
    if (next) result = result.slice(0, m.keyStart) + result.slice(next.keyStart);
    else if (prev) result = result.slice(0, prev.valueEnd) + result.slice(m.valueEnd);
    else result = result.slice(0, scan.open + 1) + result.slice(scan.close);
  }
  try {
    const after = JSON.parse(result.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    if (Object.hasOwn(after, KEY)) return undefined;
    const { [KEY]: _b, ...restBefore } = parsed as Record<string, unknown>;
    if (JSON.stringify(after) !== JSON.stringify(restBefore)) return undefined;
  } catch {
    return undefined;
  }
  return result;
}

interface Member {
  key: string;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** Positions of the top-level object's braces and members (keys and value spans). */
function scanTopLevel(text: string): { open: number; close: number; members: Member[] } | undefined {
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && /[\s\uFEFF]/.test(text[i] as string)) i++;
  };
  const skipString = () => {
    // at a quote
    i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const skipValue = () => {
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < n) {
        const ch = text[i];
        if (ch === '"') {
          skipString();
          continue;
        }
        if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      return;
    }
    while (i < n && !/[\s,}\]]/.test(text[i] as string)) i++;
  };

  skipWs();
  if (text[i] !== '{') return undefined;
  const open = i;
  i++;
  const members: Member[] = [];
  for (;;) {
    skipWs();
    if (text[i] === '}') return { open, close: i, members };
    if (text[i] !== '"') return undefined;
    const keyStart = i;
    skipString();
    const keyEnd = i;
    const key = JSON.parse(text.slice(keyStart, keyEnd)) as string;
    skipWs();
    if (text[i] !== ':') return undefined;
    i++;
    skipWs();
    const valueStart = i;
    skipValue();
    const valueEnd = i;
    members.push({ key, keyStart, keyEnd, valueStart, valueEnd });
    skipWs();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '}') return { open, close: i, members };
    return undefined;
  }
}

/** The JSON object the text (a byte-order mark allowed) holds, or undefined. */
function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
