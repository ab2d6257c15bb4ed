import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { listSessions } from '../../src/sessions/list.js';
import { errnoError, hookFs, spyFs } from '../support/faulty-fs.js';
import { CWD, HOME, memVolume, sessionPath, sid, transcript } from './support.js';

const T0 = Date.UTC(2026, 0, 2);
const account = `${HOME}/.claude`;

/** Lists one memfs account holding session 1 (healthy, newest) and session 2 (given bytes). */
async function listWith(content: string | Buffer, mtimes: Record<string, number> = {}) {
  const { fs } = await memVolume(
    { [sessionPath(1)]: transcript(1), [sessionPath(2)]: content },
    { [sessionPath(1)]: T0 + 10_000, [sessionPath(2)]: T0, ...mtimes },
  );
  return listSessions({ fs, accounts: [account] });
}

function byId<T extends { sessionId: string }>(rows: T[], n: number): T | undefined {
  return rows.find((r) => r.sessionId === sid(n));
}

describe('bad transcripts are tolerated', () => {
  it('a UTF-8 BOM before the first line', async () => {
    const { sessions, problems } = await listWith(`\uFEFF${transcript(2)}`);
    expect(problems).toEqual([]);
    expect(byId(sessions, 2)).toMatchObject({ firstPrompt: 'First prompt 2', summary: 'Last prompt 2', cwd: CWD });
  });

  it('blank lines, CRLF and whitespace-only lines', async () => {
    const text = transcript(2)
      .split('\n')
      .map((l) => `${l}\r`)
      .join('\n\n   \n');
    const { sessions } = await listWith(text);
    expect(byId(sessions, 2)).toMatchObject({
      firstPrompt: 'First prompt 2',
      summary: 'Last prompt 2',
      gitBranch: 'main',
    });
  });

  it('a truncated last line (a process killed mid-write)', async () => {
    const whole = transcript(2, { customTitle: 'Named' });
    const cut = whole.slice(0, whole.lastIndexOf('{"type":"custom-title"') + 30);
    const { sessions } = await listWith(cut);
    // The cut title line does not count; the one written at the start still does.
    expect(byId(sessions, 2)).toMatchObject({ customTitle: 'Named', summary: 'Named', firstPrompt: 'First prompt 2' });
  });

  it('malformed JSON lines between good ones', async () => {
    const lines = transcript(2).trimEnd().split('\n');
    const noisy = lines.flatMap((l) => [
      l,
      '{"type":"user","message":{"content":"broken',
      'not json at all',
      '[1,2',
      '{}',
    ]);
    const { sessions, problems } = await listWith(`${noisy.join('\n')}\n`);
    expect(problems).toEqual([]);
    expect(byId(sessions, 2)).toMatchObject({ firstPrompt: 'First prompt 2', summary: 'Last prompt 2' });
  });

  it('a line longer than the 64 KB window, straddling both windows', async () => {
    const lines = transcript(2).trimEnd().split('\n');
    const huge = JSON.stringify({ type: 'attachment', attachment: { note: 'x'.repeat(150_000) }, gitBranch: 'inside' });
    // prompt lines first, then the huge line, then the closing metadata lines.
    const at = lines.findIndex((l) => l.includes('"type":"last-prompt"'));
    const text = [...lines.slice(0, at), huge, ...lines.slice(at)].join('\n');
    const { sessions } = await listWith(`${text}\n`);
    expect(byId(sessions, 2)).toMatchObject({
      firstPrompt: 'First prompt 2',
      summary: 'Last prompt 2',
      // The last gitBranch in the tail window, even in a line cut by the window, as the SDK reads it.
      gitBranch: 'inside',
      cwd: CWD,
    });
  });

  it('invalid UTF-8 in a prompt', async () => {
    const text = transcript(2, { prompts: ['Caf\u00e9 CAFE_MARK'] });
    const bytes = Buffer.from(text, 'utf8');
    for (let at = bytes.indexOf('\u00e9'); at !== -1; at = bytes.indexOf('\u00e9', at)) {
      bytes[at] = 0xff; // bytes that are no UTF-8
      bytes[at + 1] = 0xfe;
    }
    const { sessions } = await listWith(bytes);
    expect(byId(sessions, 2)?.firstPrompt).toBe('Caf\uFFFD\uFFFD CAFE_MARK');
  });

  it('an empty file is not listed and is not a problem', async () => {
    const { sessions, problems } = await listWith('');
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(1)]);
    expect(problems).toEqual([]);
  });

  it('a transcript with no prompt, title or summary is not listed (the SDK skips it)', async () => {
    const { sessions } = await listWith('{"type":"file-history-snapshot","messageId":"x"}\n');
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(1)]);
  });

  it('a subagent transcript (sidechain first line) is not listed', async () => {
    const side = transcript(2).replaceAll('"isSidechain":false', '"isSidechain":true');
    const text = `${side.slice(side.indexOf('\n', side.indexOf('"type":"user"')) + 1)}`;
    const first = JSON.stringify({ parentUuid: null, isSidechain: true, type: 'user', message: { content: 'sub' } });
    const { sessions } = await listWith(`${first}\n${text}`);
    expect(byId(sessions, 2)).toBeUndefined();
  });

  it('an unreadable file is reported with its path; the others are still listed', async () => {
    const { fs: inner } = await memVolume(
      { [sessionPath(1)]: transcript(1), [sessionPath(2)]: transcript(2) },
      { [sessionPath(1)]: T0, [sessionPath(2)]: T0 + 1 },
    );
    const spy = spyFs(inner, { failOpen: (p) => (p === sessionPath(2) ? errnoError('EACCES', 'open', p) : undefined) });
    const { sessions, problems } = await listSessions({ fs: spy.fs, accounts: [account] });
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(1)]);
    expect(problems).toEqual([
      expect.objectContaining({ code: 'EPERMISSION', path: sessionPath(2), accounts: [account] }),
    ]);
    expect(problems[0]?.message).toMatch(/Permission denied/);
  });

  it('an unreadable project folder is reported; other folders are still listed', async () => {
    const other = `${HOME}/.claude/projects/-other/${sid(3)}.jsonl`;
    const { fs: inner } = await memVolume({ [sessionPath(1)]: transcript(1), [other]: transcript(3) });
    const fs = hookFs(inner, {
      before: (c) => {
        if (c.call === 'readdir' && c.path.endsWith('/-other')) throw errnoError('EIO', 'readdir', c.path);
      },
    });
    const { sessions, problems } = await listSessions({ fs, accounts: [account] });
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(1)]);
    expect(problems).toEqual([
      expect.objectContaining({ code: 'EIO_UNEXPECTED', path: `${HOME}/.claude/projects/-other` }),
    ]);
  });

  it('a file that grows while it is read is listed from what was there when it was listed', async () => {
    const first = transcript(2, { paddingPerTurn: 60_000 });
    const { fs: inner, volume } = await memVolume(
      { [sessionPath(1)]: transcript(1), [sessionPath(2)]: first },
      { [sessionPath(2)]: T0 },
    );
    let grown = false;
    const spy = spyFs(inner, {
      onRead: (path, position) => {
        if (path === sessionPath(2) && position === 0 && !grown) {
          grown = true;
          volume.appendFileSync(
            sessionPath(2),
            `${JSON.stringify({ type: 'last-prompt', lastPrompt: 'Written meanwhile', sessionId: sid(2) })}\n`,
          );
        }
      },
    });
    const { sessions, problems } = await listSessions({ fs: spy.fs, accounts: [account] });
    expect(grown).toBe(true);
    expect(problems).toEqual([]);
    expect(byId(sessions, 2)).toMatchObject({
      fileSize: Buffer.byteLength(first),
      lastModified: T0,
      summary: 'Last prompt 2',
    });
  });

  it('a file that shrinks while it is read is read again at its new end', async () => {
    const big = transcript(2, { paddingPerTurn: 60_000 });
    const small = transcript(2, { prompts: ['Only prompt'] });
    const { fs: inner, volume } = await memVolume({ [sessionPath(2)]: big }, { [sessionPath(2)]: T0 });
    const spy = spyFs(inner, {
      onRead: (path, position) => {
        if (path === sessionPath(2) && position > 0) volume.writeFileSync(sessionPath(2), small);
      },
    });
    const { sessions } = await listSessions({ fs: spy.fs, accounts: [account] });
    expect(sessions).toHaveLength(1);
  });
});

describe('odd entries on a real disk', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a <uuid>.jsonl folder and a dangling symlink are reported, not listed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'css-list-'));
    const project = join(dir, '.claude', 'projects', '-p');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, `${sid(1)}.jsonl`), transcript(1));
    mkdirSync(join(project, `${sid(2)}.jsonl`));
    symlinkSync(join(dir, 'nowhere.jsonl'), join(project, `${sid(3)}.jsonl`));
    symlinkSync(join(project, `${sid(1)}.jsonl`), join(project, `${sid(4)}.jsonl`));
    writeFileSync(join(project, 'notes.txt'), 'not a session');
    const { sessions, problems } = await listSessions({ fs: createNodeFileSystem(), accounts: [join(dir, '.claude')] });
    expect(sessions.map((s) => s.sessionId)).toEqual([sid(1)]);
    const codes = Object.fromEntries(problems.map((p) => [p.path.slice(-42, -6), p.code]));
    expect(codes).toEqual({ [sid(2)]: 'ENOT_A_FILE', [sid(3)]: 'ELINKED_ENTRY', [sid(4)]: 'ELINKED_ENTRY' });
  });

  it('an account without projects/ has nothing to list and no problem', async () => {
    dir = mkdtempSync(join(tmpdir(), 'css-list-'));
    mkdirSync(join(dir, '.claude'));
    const result = await listSessions({ fs: createNodeFileSystem(), accounts: [join(dir, '.claude')] });
    expect(result).toEqual({ sessions: [], problems: [] });
  });
});
