import { createHash } from 'node:crypto';
import type { Snapshot } from '../inspect/types.js';

/**
 * JSON with object keys sorted at every level (arrays keep their order), so that two
 * equal values always give the same text. `undefined` members are dropped as
 * `JSON.stringify` drops them.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Built by concatenation, with each key's JSON text remembered: snapshots repeat the
  // same few keys hundreds of thousands of times.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += quotedKey(k);
    out += ':';
    out += canonicalJson(v);
  }
  return `${out}}`;
}

const QUOTED_KEYS = new Map<string, string>();

function quotedKey(key: string): string {
  let q = QUOTED_KEYS.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (QUOTED_KEYS.size < 1024) QUOTED_KEYS.set(key, q);
  }
  return q;
}

/**
 * SHA-256 (hex) of the snapshot's canonical JSON: two snapshots of the same disk state
 * have the same fingerprint, whatever order their objects' keys were built in.
 *
 * @example
 * fingerprintSnapshot(await inspect({ accounts })) // 'a3f1…' (64 hex digits)
 */
export function fingerprintSnapshot(snapshot: Snapshot): string {
  // The text of canonicalJson, hashed as it is written (64 KB at a time) instead of built
  // whole: a snapshot of 100,000 files is a 16 MB string otherwise.
  const out = new HashWriter();
  writeCanonical(out, snapshot);
  return out.digest();
}

class HashWriter {
  readonly #hash = createHash('sha256');
  #text = '';

  put(text: string): void {
    if (text.length >= 1 << 16) {
      // A long text (a whole tree's entries) is hashed in 64 K slices of its own, not
      // joined to the buffer first (which copies it whole); no slice ends between the two
      // halves of a surrogate pair, so the bytes are the whole text's.
      this.#hash.update(this.#text);
      this.#text = '';
      for (let start = 0; start < text.length; ) {
        let end = Math.min(text.length, start + (1 << 16));
        const last = text.charCodeAt(end - 1);
        if (last >= 0xd800 && last <= 0xdbff && end < text.length) end++;
        this.#hash.update(text.slice(start, end));
        start = end;
      }
      return;
    }
    this.#text += text;
    if (this.#text.length >= 1 << 16) {
      this.#hash.update(this.#text);
      this.#text = '';
    }
  }

  digest(): string {
    return this.#hash.update(this.#text).digest('hex');
  }
}

/** {@link canonicalJson}, written piece by piece. */
function writeCanonical(out: HashWriter, value: unknown): void {
  if (value === null || typeof value !== 'object') {
    out.put(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    writeArray(out, value);
    return;
  }
  const record = value as Record<string, unknown>;
  out.put('{');
  let first = true;
  for (const k of sortedKeys(record)) {
    const v = record[k];
    if (v === undefined) continue;
    if (!first) out.put(',');
    first = false;
    out.put(quotedKey(k));
    out.put(':');
    writeCanonical(out, v);
  }
  out.put('}');
}

/**
 * An array's canonical text. Runs of items that are primitives or plain objects of
 * primitive values (a tree's entries, mostly) are written by one native call each:
 * `JSON.stringify` with the sorted union of the run's keys as its property list writes
 * each object's keys in that order and leaves out those it lacks, which is
 * canonicalJson's text for such items. Other items are written key by key.
 */
function writeArray(out: HashWriter, items: readonly unknown[]): void {
  out.put('[');
  let start = 0;
  const keys = new Set<string>();
  const flush = (end: number) => {
    if (end === start) return;
    if (start > 0) out.put(',');
    const text = JSON.stringify(end - start === items.length ? items : items.slice(start, end), [...keys].sort());
    out.put(text.slice(1, -1));
    keys.clear();
  };
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (isFlat(item, keys)) continue;
    flush(i);
    if (i > 0) out.put(',');
    if (item === undefined) out.put('null');
    else writeCanonical(out, item);
    start = i + 1;
  }
  flush(items.length);
  out.put(']');
}

/** Whether `item` is a primitive or a plain object of primitive values; adds its keys to `keys`. */
function isFlat(item: unknown, keys: Set<string>): boolean {
  if (item === null || typeof item !== 'object') return true;
  const proto = Object.getPrototypeOf(item);
  if (Array.isArray(item) || (proto !== Object.prototype && proto !== null)) return false;
  const record = item as Record<string, unknown>;
  for (const k in record) {
    const v = record[k];
    // Nested values go key by key; JSON.stringify would drop a function or symbol member.
    if ((v !== null && typeof v === 'object') || typeof v === 'function' || typeof v === 'symbol') return false;
  }
  for (const k in record) keys.add(k);
  return true;
}

/** Key orders seen, as a trie of keys: the sorted list at the node of each order. */
interface Shape {
  next: Map<string, Shape>;
  sorted?: string[];
}
const SHAPES: Shape = { next: new Map() };
let shapeCount = 0;

/** The keys of `record`, sorted; a snapshot has a few key orders, each sorted once. */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let shape = SHAPES;
  for (const k of keys) {
    let next = shape.next.get(k);
    if (next === undefined) {
      if (shapeCount >= 4096) return keys.sort();
      next = { next: new Map() };
      shape.next.set(k, next);
      shapeCount++;
    }
    shape = next;
  }
  shape.sorted ??= keys.sort();
  return shape.sorted;
}

/**
 * The default id of a forked diverged copy: a UUID derived from the session id and the
 * copy's content hash, so that planning twice gives the same id (and, once the fork
 * exists, an empty plan). Laid out as a version-4 UUID, which every reader of session ids
 * accepts.
 *
 * @example
 * deriveForkSessionId('cd132a96-…', 'ab12…') // 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
 */
export function deriveForkSessionId(sessionId: string, contentHash: string): string {
  const hex = createHash('sha256').update(`claude-shared-sessions:fork:${sessionId}:${contentHash}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
