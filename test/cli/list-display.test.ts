import { execFileSync } from 'node:child_process';
import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPickerSize, formatWhen, truncate, visibleLength } from '../../src/cli/format.js';
import { encodeProjectDir } from '../../src/layout/names.js';
import { cli, json, makeSandbox, type TestSandbox } from './support.js';

const WIDE_ID = '1a2b3c4d-0000-4000-8000-00000000cafe';
const OLD_ID = '9f8e7d6c-0000-4000-8000-0000000000af';
const CJK_TITLE = '日本語のタイトル 🎉 絵文字';
const UTC = { TZ: 'UTC', LC_ALL: 'C' };

/** Display columns, stated independently: Han, kana, Hangul, fullwidth and emoji are 2. */
function columns(text: string): number {
  let n = 0;
  for (const ch of text) {
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\uff00-\uff60]/u.test(ch)) n += 2;
    else if (/\p{Emoji_Presentation}/u.test(ch)) n += 2;
    else n += 1;
  }
  return n;
}

/** Where (in columns) `needle` starts in `line`. */
const columnOf = (line: string, needle: string) => columns(line.slice(0, line.indexOf(needle)));

describe('list: ids, sizes, ages, wide characters, problems', () => {
  let sb: TestSandbox;
  let oldFile: string;
  beforeAll(async () => {
    sb = await makeSandbox(1);
    const cwd = '/home/dev/code/wide';
    const project = join(sb.accounts[0] as string, 'projects', encodeProjectDir(cwd).name);
    await mkdir(project, { recursive: true });
    const line = (o: object) => `${JSON.stringify(o)}\n`;
    const transcript = (id: string, prompt: string) =>
      line({
        type: 'user',
        cwd,
        sessionId: id,
        gitBranch: 'main',
        message: { role: 'user', content: prompt },
        uuid: `u-${id}`,
        timestamp: '2025-03-04T10:00:00.000Z',
      }) +
      line({
        type: 'assistant',
        cwd,
        sessionId: id,
        message: { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        uuid: `a-${id}`,
        parentUuid: `u-${id}`,
        timestamp: '2025-03-04T10:00:01.000Z',
      });
    await writeFile(join(project, `${WIDE_ID}.jsonl`), transcript(WIDE_ID, CJK_TITLE));
    oldFile = join(project, `${OLD_ID}.jsonl`);
    await writeFile(oldFile, transcript(OLD_ID, 'an old session'));
    const old = new Date('2025-03-04T10:00:01.000Z');
    await utimes(oldFile, old, old);
    // A linked project folder: Claude Code does not list it, and neither does list (ELINKED_ENTRY).
    await symlink(project, join(sb.accounts[1] as string, 'projects', '-linked-project'));
  });
  afterAll(() => sb.cleanup());

  it('--full-ids shows whole ids; the default shows their first 8 characters', () => {
    const ids = json<{ sessionId: string }[]>(cli(['list', '--all', '--json', ...sb.args])).map((r) => r.sessionId);
    const full = cli(['list', '--all', '--full-ids', '--no-color', ...sb.args]).stdout;
    const short = cli(['list', '--all', '--no-color', ...sb.args]).stdout;
    for (const id of ids) {
      expect(full).toMatch(new RegExp(`\\s${id}\\n`));
      expect(short).toMatch(new RegExp(`\\s${id.slice(0, 8)}\\n`));
      expect(short).not.toContain(id);
    }
  });

  it('columns stay aligned with wide characters (CJK, emoji) in a title', () => {
    const out = cli(['list', '--all', '--no-color', ...sb.args], { env: UTC }).stdout;
    const lines = out.split('\n').filter((l) => l !== '' && !l.startsWith('≠ diverged'));
    const header = lines[0] as string;
    const wide = lines.find((l) => l.includes('日本語')) as string;
    expect(wide).toBeDefined();
    const rows = lines.slice(1);
    // Every row's branch column starts where the header's BRANCH does; the wide row included.
    const at = columnOf(header, 'BRANCH');
    expect(columnOf(wide, ' main ') + 1).toBe(at);
    for (const row of rows.filter((r) => / main /.test(r))) expect(columnOf(row, ' main ') + 1, row).toBe(at);
  });

  it('ages: relative within a day, then date and time as ls -l writes them', () => {
    const out = cli(['list', '--all', '--no-color', ...sb.args], { env: UTC }).stdout;
    const row = out.split('\n').find((l) => l.includes(OLD_ID.slice(0, 8))) as string;
    // ls -l itself, in the same time zone, is the reference for the date.
    const ls = execFileSync('ls', ['-l', oldFile], { env: { ...process.env, ...UTC }, encoding: 'utf8' });
    const lsDate = (ls.match(/ ([A-Z][a-z]{2} [ \d]\d {1,2}(?:\d\d:\d\d|\d{4})) /) as RegExpMatchArray)[1] as string;
    expect(lsDate).toBe('Mar  4  2025');
    expect(row).toContain(lsDate);
    // The sandbox's sessions are minutes to days old: relative within a day, a date after.
    expect(formatWhen(Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 0, 1, 15))).toBe('3h ago');
  });

  it('sizes as the /resume picker shows them (values read off the real picker, 2.1.332)', () => {
    const seen: [number, string][] = [
      [900, '900 bytes'],
      [1023, '1023 bytes'],
      [1024, '1KB'],
      [1536, '1.5KB'],
      [10240, '10KB'],
      [171929, '167.9KB'],
      [1048575, '1024KB'],
      [1048576, '1MB'],
      [1572864, '1.5MB'],
      [12345678, '11.8MB'],
    ];
    for (const [bytes, shown] of seen) expect(formatPickerSize(bytes), String(bytes)).toBe(shown);
    const rows = json<{ sessionId: string; fileSize: number }[]>(cli(['list', '--all', '--json', ...sb.args]));
    const out = cli(['list', '--all', '--no-color', ...sb.args]).stdout;
    for (const r of rows) {
      const line = out.split('\n').find((l) => l.includes(r.sessionId.slice(0, 8))) as string;
      expect(line).toMatch(/ \d+(\.\d)?(KB|MB) {2}| \d+ bytes {2}/);
    }
  });

  it('widths: wide characters count 2, combining marks 0; cutting keeps within the width', () => {
    expect(visibleLength('abc')).toBe(3);
    expect(visibleLength('日本')).toBe(4);
    expect(visibleLength('e\u0301')).toBe(1);
    expect(visibleLength('👍🏽')).toBe(2);
    expect(visibleLength('👨‍👩‍👧')).toBe(2);
    expect(visibleLength('\u001b[31mred\u001b[39m')).toBe(3);
    expect(truncate('日本語のタイトル', 7)).toBe('日本語…');
    expect(visibleLength(truncate(CJK_TITLE, 10))).toBeLessThanOrEqual(10);
  });

  it('--json: problems go to stderr as JSON lines, stdout stays one JSON array', () => {
    const r = cli(['list', '--all', '--json', ...sb.args]);
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    const problems = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { problem: { code: string; path: string } });
    expect(problems.map((p) => p.problem.code)).toContain('ELINKED_ENTRY');
    expect(problems.find((p) => p.problem.code === 'ELINKED_ENTRY')?.problem.path).toContain('-linked-project');
    // The text output shows the same problem as a line.
    expect(cli(['list', '--all', '--no-color', ...sb.args]).stderr).toMatch(/^! ELINKED_ENTRY: /m);
  });

  it('--project for a folder that does not exist says so (exit 1), unless it has sessions', () => {
    const r = cli(['list', '--project', join(sb.root, 'no-such-folder'), ...sb.args]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ENOTFOUND_SESSION: .*no-such-folder does not exist, and no account has sessions for it/);
    // The sandbox's sessions were made in /home/dev/... folders that do not exist here.
    const gone = cli(['list', '--project', '/home/dev/code/wide', '--json', ...sb.args]);
    expect(gone.code).toBe(0);
    expect(json<unknown[]>(gone).length).toBe(2);
    expect(gone.stderr).toMatch(/does not exist any more; these are its sessions/);
  });
});
