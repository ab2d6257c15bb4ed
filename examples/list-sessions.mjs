#!/usr/bin/env node
// @ts-check
/**
 * Lists every session of every account, newest first, with the accounts that see it:
 * the same fields as the official SDK's listSessions, across accounts.
 *
 *   node examples/list-sessions.mjs [--home <dir>] [--limit 20] [--json]
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { listSessions } from 'claude-shared-sessions';

const USAGE = 'usage: list-sessions.mjs [--home dir] [--limit n] [--json]';
let parsed;
try {
  parsed = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      home: { type: 'string' },
      limit: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  process.exit(1);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const { values } = parsed;

const { sessions } = await listSessions({
  ...(values.home === undefined ? {} : { home: values.home }),
  limit: Number(values.limit),
});

if (values.json) {
  console.log(JSON.stringify(sessions, null, 2));
} else {
  for (const s of sessions) {
    const when = new Date(s.lastModified).toISOString().slice(0, 16).replace('T', ' ');
    const who = (s.accounts ?? []).map((a) => basename(a)).join(',');
    console.log(
      `${when}  ${s.sessionId.slice(0, 8)}  ${(s.gitBranch ?? '').padEnd(10)}  ${who.padEnd(28)}  ${s.summary}`,
    );
  }
  console.log(`${sessions.length} sessions`);
}
