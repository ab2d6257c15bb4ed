// @ts-check
/**
 * Writes a config dir whose sessions each exercise one listing rule or one odd input:
 * JSON with spaces, pasted content, slash commands, bash input, long prompts cut at an
 * emoji, glued title lines, empty titles, summary lines, relocation, continued-in,
 * archived.json, custom-title.json, escapes, media-only prompts, daemon and SDK
 * entrypoints, lines across the 64 KB window, BOM, invalid UTF-8, CRLF, equal mtimes...
 * Deterministic (content and mtimes), so the official SDK's listing of it can be stored
 * (edge-corpus.expected.json, made by bench/sdk-edge-cases.mjs) and compared in a test.
 */
import fs from 'node:fs';
import path from 'node:path';

/** @param {string} root the config dir to (re)create */
export function writeEdgeCorpus(root) {
  fs.rmSync(root, { recursive: true, force: true });
  const proj = path.join(root, 'projects', '-w-p');
  fs.mkdirSync(proj, { recursive: true });
  let n = 0;
  const id = () => `aaaaaaaa-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const J = (o, spaced) => (spaced ? JSON.stringify(o).replace(/":/g, '": ').replace(/,"/g, ', "') : JSON.stringify(o));
  const user = (content, extra = {}) => ({
    parentUuid: null,
    isSidechain: false,
    type: 'user',
    message: { role: 'user', content },
    uuid: 'u',
    timestamp: '2026-01-01T00:00:01.000Z',
    cwd: '/w/p',
    sessionId: 'x',
    gitBranch: 'main',
    entrypoint: 'cli',
    ...extra,
  });
  const asst = (text, extra = {}) => ({
    parentUuid: 'u',
    type: 'assistant',
    message: { role: 'assistant', content: [{ type: 'text', text }], stop_reason: 'end_turn' },
    timestamp: '2026-01-01T00:00:02.000Z',
    cwd: '/w/p',
    gitBranch: 'main',
    ...extra,
  });
  const pad = (k) => ({
    type: 'attachment',
    attachment: { note: 'z'.repeat(k) },
    timestamp: '2026-01-01T00:00:03.000Z',
  });
  let t = 1790000000;
  const write = (lines, { raw, sidecar, mtime } = {}) => {
    const sid = id();
    const file = path.join(proj, `${sid}.jsonl`);
    const body = raw ?? `${lines.map((l) => (typeof l === 'string' ? l : J(l))).join('\n')}\n`;
    fs.writeFileSync(file, body);
    if (sidecar) {
      fs.mkdirSync(path.join(proj, sid), { recursive: true });
      for (const [k, v] of Object.entries(sidecar)) fs.writeFileSync(path.join(proj, sid, k), v);
    }
    const m = mtime ?? t++;
    fs.utimesSync(file, m, m);
    return sid;
  };
  const q = { type: 'queue-operation', operation: 'enqueue', timestamp: '2026-01-01T00:00:00.500Z', content: 'x' };
  // 1 spaced JSON
  write([q, user('Spaced prompt'), asst('a')].map((l) => J(l, true)));
  // 2 pasted content
  write([
    q,
    user('Look at this:\n\n<pasted_content id="ab12">\nline one\nline two\n</pasted_content id="ab12">\n\nthanks'),
    asst('a'),
  ]);
  // 3 command then prompt
  write([
    q,
    user('<command-message>x</command-message>\n<command-name>/x</command-name>'),
    user('Real prompt after command'),
    asst('a'),
  ]);
  // 4 bash input
  write([q, user('<bash-input>ls -la</bash-input>'), asst('a')]);
  // 5 interrupted + local stdout + prompt
  write([
    q,
    user('[Request interrupted by user]'),
    user('<local-command-stdout>hi</local-command-stdout>'),
    user([{ type: 'text', text: '  Blocks prompt  ' }]),
    asst('a'),
  ]);
  // 6 long prompt with emoji at boundary
  write([q, user(`${'a'.repeat(199)}😀${'b'.repeat(50)}`), asst('a')]);
  // 7 tool_result first + isMeta + compact summary
  write([
    q,
    user([{ type: 'tool_result', content: 'r' }]),
    user('meta', { isMeta: true }),
    user('summary', { isCompactSummary: true }),
    user('After those'),
    asst('a'),
  ]);
  // 8 glued custom title
  write([
    q,
    user('Glued'),
    asst('a'),
    '{"type":"custom-title","customTi' + '{"type":"custom-title","customTitle":"Recovered title","sessionId":"x"}',
  ]);
  // 9 empty title and tag
  write([
    q,
    user('Empty title'),
    asst('a'),
    { type: 'custom-title', customTitle: '' },
    { type: 'tag', tag: '' },
    { type: 'ai-title', aiTitle: 'AI fallback' },
  ]);
  // 10 summary line only
  write([{ type: 'summary', summary: 'Old summary', leafUuid: 'l' }, pad(10)]);
  // 11 relocated
  write([q, user('Relocated'), asst('a'), { type: 'relocated', relocatedCwd: '/new/place' }]);
  // 12 continued-in to existing
  const target = write([q, user('Target session'), asst('a')]);
  write([q, user('Continued away'), asst('a'), { type: 'continued-in', continuedInSessionId: target }]);
  // 13 continued-in to missing
  write([
    q,
    user('Continued nowhere'),
    asst('a'),
    { type: 'continued-in', continuedInSessionId: 'bbbbbbbb-0000-4000-8000-000000000001' },
  ]);
  // 14 continued-in then real turn
  write([
    q,
    user('Continued then back'),
    asst('a'),
    { type: 'continued-in', continuedInSessionId: target },
    user('Back again'),
    asst('b'),
  ]);
  // 15 archived true, no later prompt
  write([q, user('Archived'), asst('a')], {
    sidecar: { 'archived.json': '{"archived":true,"at":"2026-01-02T00:00:00Z"}' },
  });
  // 16 archived true, later prompt
  write([q, user('Archived then used'), asst('a'), user('Later', { timestamp: '2026-01-03T00:00:00.000Z' })], {
    sidecar: { 'archived.json': '{"archived":true,"at":"2026-01-02T00:00:00+01:00"}' },
  });
  // 17 archived false, malformed
  write([q, user('Not archived'), asst('a')], {
    sidecar: { 'archived.json': '{"archived":false,"at":"2026-01-02T00:00:00Z"}' },
  });
  write([q, user('Bad archived'), asst('a')], { sidecar: { 'archived.json': '{"archived":true,"at":"yesterday"}' } });
  // 18 sidecar title with control chars; and with tail title
  write([q, user('Sidecar title'), asst('a')], {
    sidecar: { 'custom-title.json': '{"customTitle":"  Tab\\there\\u200bzero  "}' },
  });
  write([q, user('Sidecar ignored'), asst('a'), { type: 'custom-title', customTitle: 'Tail wins' }], {
    sidecar: { 'custom-title.json': '{"customTitle":"Sidecar"}' },
  });
  // 19 escapes
  write([
    q,
    user('Escapes', { cwd: '/w/caf\u00e9 "q" \\ back', gitBranch: 'feat/\u00fc' }),
    asst('a', { cwd: 'x', gitBranch: 'br\\"anch' }),
  ]);
  // 20 image only
  write([q, user([{ type: 'image', source: { type: 'base64', data: 'AAA' } }]), asst('a')]);
  // 21 daemon
  write([q, user('Daemon', { sessionKind: 'daemon' }), asst('a')]);
  // 22 entrypoint in tail only
  write([
    q,
    { type: 'user', message: { content: 'No entrypoint head' }, timestamp: '2026-01-01T00:00:01Z' },
    pad(70000),
    asst('a', { entrypoint: 'sdk-ts' }),
  ]);
  // 23 straddle
  write([
    q,
    user('Straddle'),
    pad(100000),
    asst('end', { gitBranch: 'tailbranch' }),
    { type: 'last-prompt', lastPrompt: 'Straddle last' },
  ]);
  // 24 between 64 and 128 KB
  write([q, user('Mid size'), pad(40000), pad(40000), { type: 'last-prompt', lastPrompt: 'Mid last' }]);
  // 25 BOM and invalid utf8
  write(null, { raw: `\uFEFF${[q, user('With BOM'), asst('a')].map((l) => JSON.stringify(l)).join('\n')}\n` });
  {
    const b = Buffer.from(`${[q, user('Bad \u00e9 bytes'), asst('a')].map((l) => JSON.stringify(l)).join('\n')}\n`);
    let i = b.indexOf('\u00e9');
    while (i >= 0) {
      b[i] = 0xff;
      i = b.indexOf('\u00e9');
    }
    write(null, { raw: b });
  }
  // 26 invalid timestamp first
  write([{ type: 'queue-operation', timestamp: 'not a date' }, user('Bad timestamp'), asst('a')]);
  // 27 sidechain
  write([user('Side', { isSidechain: true }), asst('a')]);
  // 28 only tool results -> no summary -> skipped? plus command fallback only
  write([q, user('<command-name>/only-cmd</command-name>\n<command-args></command-args>'), asst('a')]);
  // 29 ties
  for (let k = 0; k < 3; k++) write([q, user(`Tie ${k}`), asst('a')], { mtime: 1800000000 });
  // 30 nested timestamp in file-history-snapshot first
  write([
    {
      type: 'file-history-snapshot',
      messageId: 'm',
      snapshot: { trackedFileBackups: {}, timestamp: '2025-12-31T23:00:00.000Z' },
    },
    user('Snapshot first'),
    asst('a'),
  ]);
  // 31 summary via "summary" key in non-summary type, and lastPrompt
  write([q, user('Odd summary'), asst('a'), { type: 'weird', summary: 'Weird summary key' }]);
  // 32 uppercase uuid file name
  {
    const up = 'CCCCCCCC-0000-4000-8000-000000000001';
    fs.writeFileSync(
      path.join(proj, `${up}.jsonl`),
      `${[q, user('Upper id'), asst('a')].map((l) => JSON.stringify(l)).join('\n')}\n`,
    );
    fs.utimesSync(path.join(proj, `${up}.jsonl`), t, t++);
  }
  // 33 CRLF
  write(null, {
    raw: `${[q, user('CRLF'), asst('a'), { type: 'custom-title', customTitle: 'CRLF title' }]
      .map((l) => JSON.stringify(l))
      .join('\r\n')}\r\n`,
  });
  // 34 queued_command attachment after archive
  write(
    [
      q,
      user('Queued later'),
      asst('a'),
      {
        type: 'attachment',
        attachment: { type: 'queued_command', prompt: 'queued prompt' },
        timestamp: '2026-01-05T00:00:00.000Z',
      },
    ],
    { sidecar: { 'archived.json': '{"archived":true,"at":"2026-01-02T00:00:00.000Z"}' } },
  );
  return n + 1;
}
