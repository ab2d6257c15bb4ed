import { describe, expect, it } from 'vitest';
import { streamJSON } from '../../src/cli/commands/list.js';
import type { SessionInfo } from '../../src/sessions/types.js';

/** A row with its fields in the order the listing makes them (the SDK's, then the library's). */
function row(n: number, sdk: Partial<SessionInfo> = {}, copies?: SessionInfo['copies']): SessionInfo {
  return {
    sessionId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    summary: `Prompt ${n} "quoted" \\ back\nnewline \u2028 \ud800 lone`,
    lastModified: 1_700_000_000_000 + n,
    fileSize: 1000 + n,
    ...sdk,
    path: `/home/u/.claude/projects/-p/${n}.jsonl`,
    projectDir: '-p',
    accounts: ['/home/u/.claude', '/home/u/.claude-2'],
    ...(copies === undefined ? {} : { copies }),
  };
}

async function* from(rows: SessionInfo[]): AsyncGenerator<SessionInfo> {
  for (const r of rows) yield r;
}

async function render(rows: SessionInfo[], chunkRows: number): Promise<{ text: string; writes: number }> {
  let text = '';
  let writes = 0;
  await streamJSON(
    (t) => {
      text += t;
      writes++;
    },
    from(rows),
    [],
    chunkRows,
  );
  return { text, writes };
}

describe('list --json streaming', () => {
  it('writes the text of JSON.stringify(rows, null, 2), whatever the chunk size', async () => {
    const rows = Array.from({ length: 10 }, (_, n) =>
      n % 3 === 0
        ? row(n, { customTitle: `Title ${n}`, gitBranch: 'main', createdAt: n }, [
            {
              path: `/x/${n}.jsonl`,
              projectDir: '-p',
              accounts: ['/a'],
              fileSize: 1,
              lastModified: 2,
              relation: 'diverged',
            },
          ])
        : row(n),
    );
    for (const chunkRows of [1, 3, 4, 10, 256]) {
      const { text, writes } = await render(rows, chunkRows);
      expect(text).toBe(`${JSON.stringify(rows, null, 2)}\n`);
      // One write per chunk, plus the closing bracket.
      expect(writes).toBe(Math.ceil(rows.length / chunkRows) + 1);
    }
  });

  it('puts the SDK fields first, in the SDK order, then the others in the order the row holds them', async () => {
    const r = row(1, { createdAt: 5, customTitle: 'T' });
    const { path, accounts, createdAt, ...rest } = r;
    const shuffled = { path, accounts, createdAt, ...rest } as SessionInfo;
    const { text } = await render([shuffled], 2);
    expect(Object.keys((JSON.parse(text) as Record<string, unknown>[])[0] ?? {})).toEqual([
      'sessionId',
      'summary',
      'lastModified',
      'fileSize',
      'customTitle',
      'createdAt',
      'path',
      'accounts',
      'projectDir',
    ]);
  });

  it('writes [] for no rows', async () => {
    expect((await render([], 3)).text).toBe('[]\n');
  });
});
