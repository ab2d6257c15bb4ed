/**
 * Syncthing's REST API as `status` asks it: over HTTPS with Syncthing's own certificate
 * (`<gui tls="true">`), and where `config.xml` is looked for.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../../src/fs/node.js';
import { syncthingConfigCandidates, syncthingStatus } from '../../src/sync/engine.js';

const API_KEY = 'test-api-key-7f3a';
const ME = 'AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA';
const OTHER = 'BBBBBBB-BBBBBBB-BBBBBBB-BBBBBBB-BBBBBBB-BBBBBBB-BBBBBBB-BBBBBBB';

let dir: string;
let server: Server;
let port: number;
let certPem: string;
let otherCertPem: string;
const requests: { path: string; key: string | undefined }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'css-syncthing-tls-'));
  const make = (name: string) => {
    const cert = join(dir, `${name}-cert.pem`);
    const key = join(dir, `${name}-key.pem`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=syncthing',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  };
  const mine = make('gui');
  certPem = mine.cert;
  otherCertPem = make('other').cert;
  server = createServer({ cert: mine.cert, key: mine.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push({ path: url.pathname, key: req.headers['x-api-key'] as string | undefined });
    if (req.headers['x-api-key'] !== API_KEY) {
      res.writeHead(403).end();
      return;
    }
    const body: Record<string, unknown> =
      url.pathname === '/rest/db/status'
        ? { state: 'idle', needTotalItems: 0, needBytes: 0 }
        : url.pathname === '/rest/system/status'
          ? { myID: ME }
          : url.pathname === '/rest/system/connections'
            ? { connections: { [OTHER]: { connected: true, paused: false } } }
            : url.pathname === '/rest/db/completion'
              ? { completion: 100, needItems: 0, needDeletes: 0, needBytes: 0 }
              : {};
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A Syncthing home with a TLS GUI at `address`, the root as a folder; the GUI certificate beside it when given. */
function syncthingHome(name: string, address: string, cert?: string): { config: string; root: string } {
  const home = join(dir, name);
  const root = join(home, 'root');
  mkdirSync(root, { recursive: true });
  const config = join(home, 'config.xml');
  writeFileSync(
    config,
    `<configuration version="37">
    <folder id="claude-shared" label="x" path="${root}" type="sendreceive">
        <device id="${ME}"></device>
        <device id="${OTHER}"></device>
    </folder>
    <gui enabled="true" tls="true" debugging="false">
        <address>${address}</address>
        <apikey>${API_KEY}</apikey>
    </gui>
</configuration>
`,
  );
  if (cert !== undefined) writeFileSync(join(home, 'https-cert.pem'), cert);
  return { config, root };
}

describe('syncthingStatus over HTTPS (<gui tls="true">)', () => {
  const fs = createNodeFileSystem();

  it('reads the status with Syncthing’s certificate pinned (its https-cert.pem beside config.xml)', async () => {
    const { config, root } = syncthingHome('pinned', `127.0.0.1:${port}`, certPem);
    requests.length = 0;
    const status = await syncthingStatus({ fs, root, configs: [config] });
    expect(status).toMatchObject({ folderId: 'claude-shared', state: 'idle', inSync: true, remoteNeedItems: 0 });
    expect(status?.error).toBeUndefined();
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.every((r) => r.key === API_KEY)).toBe(true);
  });

  it('refuses a server whose certificate is not the one beside config.xml', async () => {
    const { config, root } = syncthingHome('other-cert', `127.0.0.1:${port}`, otherCertPem);
    requests.length = 0;
    const status = await syncthingStatus({ fs, root, configs: [config] });
    expect(status?.error).toMatch(/^Syncthing's REST API at https:\/\/127\.0\.0\.1:\d+ did not answer \(.+\)$/);
    expect(status?.inSync).toBeUndefined();
    // The TLS handshake failed: no request reached the server, so the key was never sent.
    expect(requests).toEqual([]);
  });

  it('without the certificate, asks only this machine (loopback), unchecked', async () => {
    const { config, root } = syncthingHome('no-cert', `127.0.0.1:${port}`);
    const status = await syncthingStatus({ fs, root, configs: [config] });
    expect(status).toMatchObject({ folderId: 'claude-shared', inSync: true });
  });

  it('without the certificate, never sends the API key to another machine', async () => {
    const { config, root } = syncthingHome('remote', '192.0.2.10:8384');
    const status = await syncthingStatus({ fs, root, configs: [config], timeoutMs: 200 });
    expect(status?.error).toMatch(
      /HTTPS at 192\.0\.2\.10:8384, not this machine.*https-cert\.pem.*the API key is not sent/,
    );
  });
});

describe('syncthingConfigCandidates', () => {
  const env = { XDG_STATE_HOME: '/caller/state', XDG_CONFIG_HOME: '/caller/config', LOCALAPPDATA: 'C:\\caller' };

  it('reads XDG_* and LOCALAPPDATA for the caller’s own home', () => {
    expect(syncthingConfigCandidates('/h', env)).toEqual([
      '/caller/state/syncthing/config.xml',
      '/caller/config/syncthing/config.xml',
      '/h/Library/Application Support/Syncthing/config.xml',
      join('C:\\caller', 'Syncthing', 'config.xml'),
    ]);
  });

  it('with a home given explicitly (--home), looks only under it', () => {
    expect(syncthingConfigCandidates('/h', env, { homeOnly: true })).toEqual([
      '/h/.local/state/syncthing/config.xml',
      '/h/.config/syncthing/config.xml',
      '/h/Library/Application Support/Syncthing/config.xml',
    ]);
    // The tool's own variable names the file itself, and still counts.
    expect(
      syncthingConfigCandidates(
        '/h',
        { ...env, CLAUDE_SHARED_SESSIONS_SYNCTHING_CONFIG: '/x/config.xml' },
        { homeOnly: true },
      ),
    ).toEqual(['/x/config.xml']);
  });
});
