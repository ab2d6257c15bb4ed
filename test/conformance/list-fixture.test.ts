import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/fs/types.js';
import { listSessions } from '../../src/sessions/list.js';
import { sdkView } from '../sessions/support.js';
import { copiedFixture, FIXTURE_ACCOUNTS, fixtureExpected, fixtureOnMemfs } from '../support/fixture.js';

const disk = copiedFixture();

const places: { name: string; get: () => Promise<{ fs?: FileSystem; root: string }> }[] = [
  { name: 'real disk copy', get: async () => ({ root: disk.dir }) },
  { name: 'memfs', get: async () => fixtureOnMemfs() },
];

describe.each(places)('listSessions equals the SDK on the fixture ($name)', ({ get }) => {
  it.each(FIXTURE_ACCOUNTS)('%s: default options', async (account) => {
    const { fs, root } = await get();
    const { sessions, problems } = await listSessions({
      accounts: [join(root, account)],
      ...(fs ? { fs } : {}),
    });
    expect(problems).toEqual([]);
    expect(sdkView(sessions)).toEqual(fixtureExpected(account, 'listSessions'));
    // Same key order as the SDK's JSON.
    expect(JSON.stringify(sdkView(sessions), null, 2)).toBe(
      JSON.stringify(fixtureExpected(account, 'listSessions'), null, 2),
    );
  });

  it.each(FIXTURE_ACCOUNTS)('%s: includeProgrammatic false (the /resume picker)', async (account) => {
    const { fs, root } = await get();
    const { sessions } = await listSessions({
      accounts: [join(root, account)],
      includeProgrammatic: false,
      ...(fs ? { fs } : {}),
    });
    expect(sdkView(sessions)).toEqual(fixtureExpected(account, 'listSessions.interactive'));
  });

  it.each(FIXTURE_ACCOUNTS)('%s: as one projects/ folder', async (account) => {
    const { fs, root } = await get();
    const { sessions } = await listSessions({ projectsDir: join(root, account, 'projects'), ...(fs ? { fs } : {}) });
    expect(sdkView(sessions)).toEqual(fixtureExpected(account, 'listSessions'));
    expect(sessions.every((s) => s.accounts.length === 0)).toBe(true);
  });
});
