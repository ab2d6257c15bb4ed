/**
 * Files with nanosecond mtimes on the real disk, the way Claude Code leaves them. Node
 * cannot set them (its utimes takes a double of seconds and libuv truncates it to the
 * microsecond), but tar can: a pax archive carries `mtime=<s>.<ns>` and both GNU tar and
 * bsdtar restore it with utimensat. One archive, one `tar -x`, for thousands of files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NsFile {
  /** Relative to the folder the archive is extracted into, with `/`. */
  path: string;
  content: Buffer | string;
  /** Nanoseconds since the epoch (non-negative). */
  mtimeNs: bigint;
  /** @default 0o600 */
  mode?: number;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mode: number, mtimeS: number, type: '0' | '5' | 'x'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 99), 0, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(process.getuid?.() ?? 0, 8), 108, 'ascii');
  h.write(octal(process.getgid?.() ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeS, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % 512;
  return rest === 0 ? [data] : [data, Buffer.alloc(512 - rest)];
}

/** One pax record: `<length> <key>=<value>\n`, the length counting itself. */
function record(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

/** Writes `files` under `root` (folders made as needed) with their exact nanosecond mtimes. */
export function writeFilesWithNsTimes(root: string, files: readonly NsFile[]): void {
  extract(
    root,
    files.map((f) => ({ ...f, content: Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content), type: '0' })),
  );
}

export interface NsFolder {
  /** An existing folder, relative to `root`, with `/`. */
  path: string;
  /** Nanoseconds since the epoch (non-negative). */
  mtimeNs: bigint;
  /** @default 0o700 */
  mode?: number;
}

/**
 * Gives existing folders under `root` exact nanosecond mtimes (what they hold is kept;
 * tar sets a folder's time after its entries, so a folder and one inside it both keep theirs).
 */
export function setFolderNsTimes(root: string, folders: readonly NsFolder[]): void {
  extract(
    root,
    folders.map((f) => ({
      path: f.path,
      mtimeNs: f.mtimeNs,
      mode: f.mode ?? 0o700,
      content: Buffer.alloc(0),
      type: '5',
    })),
  );
}

function extract(
  root: string,
  entries: readonly { path: string; content: Buffer; mtimeNs: bigint; mode?: number; type: '0' | '5' }[],
): void {
  const parts: Buffer[] = [];
  for (const f of entries) {
    const seconds = f.mtimeNs / 1_000_000_000n;
    const fraction = (f.mtimeNs % 1_000_000_000n).toString().padStart(9, '0');
    const pax = Buffer.from(record('path', f.path) + record('mtime', `${seconds}.${fraction}`));
    parts.push(header('PaxHeader', pax.length, 0o644, Number(seconds), 'x'), ...padded(pax));
    parts.push(header(f.path, f.content.length, f.mode ?? 0o600, Number(seconds), f.type), ...padded(f.content));
  }
  parts.push(Buffer.alloc(1024));
  const dir = mkdtempSync(join(tmpdir(), 'css-ns-tar-'));
  try {
    const archive = join(dir, 'files.tar');
    writeFileSync(archive, Buffer.concat(parts));
    execFileSync('tar', ['-x', '-p', '-f', archive, '-C', root, '--no-same-owner'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
