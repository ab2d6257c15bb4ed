import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { listSessions } from '../../src/sessions/list.js';
import { sdkView } from '../sessions/support.js';
import { writeEdgeCorpus } from './edge-corpus.mjs';

/** The official SDK's listing of the edge corpus (made by bench/sdk-edge-cases.mjs --write). */
const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'edge-corpus.expected.json'), 'utf8')) as {
  all: Record<string, unknown>[];
  interactive: Record<string, unknown>[];
};

const view = sdkView;

describe('edge cases: equal to the SDK on one session per rule', () => {
  let dir = '';
  let account = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'css-edge-'));
    account = join(dir, '.claude');
    writeEdgeCorpus(account);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('default options', async () => {
    const { sessions } = await listSessions({ fs: createNodeFileSystem(), accounts: [account] });
    expect(view(sessions)).toEqual(expected.all);
  });

  it('includeProgrammatic false', async () => {
    const { sessions } = await listSessions({ accounts: [account], includeProgrammatic: false });
    expect(view(sessions)).toEqual(expected.interactive);
  });

  it('covers the rules it is meant to', () => {
    const summaries = expected.all.map((r) => r.summary);
    // A few of the rules, to keep the stored file honest.
    expect(summaries).toContain('Recovered title'); // a title line glued to a cut line
    expect(summaries).toContain('! ls -la'); // bash input
    expect(summaries).toContain('Image'); // a prompt with only an image
    expect(summaries).not.toContain('Continued away'); // continued in an existing session
    expect(expected.all.find((r) => r.summary === 'Archived')?.archived).toBe(true);
    expect(expected.all.find((r) => r.summary === 'Archived then used')?.archived).toBe(false);
    expect(expected.all.length - expected.interactive.length).toBe(2); // daemon, sdk-ts in the tail
  });
});
