/**
 * The sync engine's own view, where it can be asked: Syncthing's REST API, with the
 * address and API key of its `config.xml`. Read-only (two GET requests); without it
 * everything else works as before.
 */
import { request } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import type { FileSystem } from '../fs/types.js';

/** Syncthing's GUI certificate, beside its `config.xml` (self-signed, made by Syncthing). */
const SYNCTHING_GUI_CERT = 'https-cert.pem';

/** Whether `host` (`host:port`, `[v6]:port`) is this machine's loopback address. */
function isLoopback(host: string): boolean {
  const name = host
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * One GET over HTTPS to Syncthing's GUI, whose certificate no public authority signed:
 * checked against `cert` (Syncthing's own, pinned: the host name is not checked, the
 * certificate is) when there is one; else sent only to a loopback address, unchecked, so
 * that the API key never leaves the machine. Node's `fetch` cannot be given either.
 */
function httpsGet(
  url: string,
  apiKey: string,
  cert: string | undefined,
  timeoutMs: number,
): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }> {
  return new Promise((resolvePromise, reject) => {
    const tls = cert !== undefined ? { ca: cert, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    const req = request(url, { method: 'GET', headers: { 'X-API-Key': apiKey }, timeout: timeoutMs, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ ok: status >= 200 && status < 300, status, json: async () => JSON.parse(body) as unknown });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** What `config.xml` says about the GUI/REST address and the folders. */
export interface SyncthingConfig {
  /** `host:port` of the GUI and REST API. */
  address: string;
  /** Whether the GUI is served over HTTPS (`<gui tls="true">`). */
  tls: boolean;
  apiKey: string;
  /** Each folder with the devices it is shared with (this device included). */
  folders: { id: string; label?: string; path: string; devices: string[] }[];
}

export interface SyncthingStatus {
  /** The `config.xml` read. */
  config: string;
  /** Syncthing's folder for the synced root, when the config has one. */
  folderId?: string;
  /** Syncthing's folder state (`idle`, `scanning`, `syncing`, …). */
  state?: string;
  /**
   * True when this side has everything (idle, nothing needed) and every other device of the
   * folder is connected, not paused, and has everything of it.
   */
  inSync?: boolean;
  /** Items and bytes this side still needs. */
  needItems?: number;
  needBytes?: number;
  /** Items and bytes the other devices still need from this folder, summed. */
  remoteNeedItems?: number;
  remoteNeedBytes?: number;
  /**
   * Each other device the folder is shared with: whether it is connected (a paused or
   * offline device cannot be known to be in sync) and what it still needs.
   */
  devices?: { id: string; connected: boolean; paused: boolean; completion: number; needItems: number }[];
  /** Why the status could not be read (no folder for the root, API unreachable, …). */
  error?: string;
}

function unescapeXml(s: string): string {
  return s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m?.[1] === undefined ? undefined : unescapeXml(m[1]);
}

/**
 * Reads the parts of Syncthing's `config.xml` the status needs. Returns undefined when it
 * has no `<gui>` address or API key.
 */
export function parseSyncthingConfig(xml: string): SyncthingConfig | undefined {
  const gui = /<gui\b([^>]*)>([\s\S]*?)<\/gui>/.exec(xml);
  if (!gui) return undefined;
  const address = /<address>([^<]*)<\/address>/.exec(gui[2] ?? '')?.[1];
  const apiKey = /<apikey>([^<]*)<\/apikey>/.exec(gui[2] ?? '')?.[1];
  if (!address || !apiKey) return undefined;
  const folders: SyncthingConfig['folders'] = [];
  for (const m of xml.matchAll(/<folder\b([^>]*)>([\s\S]*?)<\/folder>/g)) {
    const id = attr(m[1] ?? '', 'id');
    const path = attr(m[1] ?? '', 'path');
    const label = attr(m[1] ?? '', 'label');
    const devices = [...(m[2] ?? '').matchAll(/<device\b([^>]*)>/g)]
      .map((d) => attr(d[1] ?? '', 'id'))
      .filter((d): d is string => d !== undefined && d !== '');
    if (id !== undefined && path !== undefined) folders.push({ id, path, devices, ...(label ? { label } : {}) });
  }
  return {
    address: unescapeXml(address),
    tls: attr(gui[1] ?? '', 'tls') === 'true',
    apiKey: unescapeXml(apiKey),
    folders,
  };
}

/**
 * Where Syncthing keeps `config.xml` on this platform, newest layout first: the
 * `CLAUDE_SHARED_SESSIONS_SYNCTHING_CONFIG` file when set, then `$XDG_STATE_HOME/syncthing`
 * (Syncthing 1.27 and later), `~/.config/syncthing` (earlier ones, Debian's 1.19),
 * `~/Library/Application Support/Syncthing` (macOS) and `%LOCALAPPDATA%\Syncthing` (Windows).
 * With `homeOnly` (a home given explicitly, `--home`), only the places under `home`:
 * `XDG_STATE_HOME`, `XDG_CONFIG_HOME` and `LOCALAPPDATA` are the caller's own, not the
 * given home's (the tool's own variable still counts: it names the file).
 */
export function syncthingConfigCandidates(
  home: string,
  env: Record<string, string | undefined>,
  options: { homeOnly?: boolean } = {},
): string[] {
  const given = env.CLAUDE_SHARED_SESSIONS_SYNCTHING_CONFIG;
  if (given) return [given];
  const own = options.homeOnly ? {} : env;
  const state = own.XDG_STATE_HOME || join(home, '.local', 'state');
  const config = own.XDG_CONFIG_HOME || join(home, '.config');
  return [
    join(state, 'syncthing', 'config.xml'),
    join(config, 'syncthing', 'config.xml'),
    join(home, 'Library', 'Application Support', 'Syncthing', 'config.xml'),
    ...(own.LOCALAPPDATA ? [join(own.LOCALAPPDATA, 'Syncthing', 'config.xml')] : []),
  ];
}

export interface SyncthingStatusOptions {
  fs: FileSystem;
  /** The synced root (the folder holding the shared `projects/`), real path. */
  root: string;
  /** `config.xml` files to try, in order ({@link syncthingConfigCandidates}). */
  configs: readonly string[];
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Per request. @default 3000 */
  timeoutMs?: number;
}

/**
 * Asks Syncthing whether the synced root is in sync: finds the folder whose path is the
 * root in the first readable `config.xml`, then reads `/rest/db/status` (this side) and
 * `/rest/db/completion` (the other devices). Undefined when no config file exists; an
 * `error` when one exists but the status cannot be read. Never throws.
 */
export async function syncthingStatus(options: SyncthingStatusOptions): Promise<SyncthingStatus | undefined> {
  const { fs, root } = options;
  let configPath: string | undefined;
  let text: string | undefined;
  for (const c of options.configs) {
    try {
      text = new TextDecoder().decode(await fs.readFile(c));
      configPath = c;
      break;
    } catch {
      // not there: try the next
    }
  }
  if (configPath === undefined || text === undefined) return undefined;
  const config = parseSyncthingConfig(text);
  if (!config) return { config: configPath, error: 'it has no GUI address or API key' };
  const rootReal = await fs.realpath(root).catch(() => resolve(root));
  let folderId: string | undefined;
  let folderDevices: string[] = [];
  for (const f of config.folders) {
    const path = f.path.startsWith('~') ? f.path : resolve(f.path);
    const real = await fs.realpath(path).catch(() => path);
    if (real === rootReal) {
      folderId = f.id;
      folderDevices = f.devices;
      break;
    }
  }
  if (folderId === undefined) {
    return { config: configPath, error: `no Syncthing folder in it has the path ${root}` };
  }
  const host = config.address.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  const base = `${config.tls ? 'https' : 'http'}://${host}`;
  const timeoutMs = options.timeoutMs ?? 3000;
  // HTTPS: Syncthing's own certificate, pinned; without it, only this machine is asked.
  let cert: string | undefined;
  if (config.tls && options.fetch === undefined) {
    const certPath = join(dirname(configPath), SYNCTHING_GUI_CERT);
    cert = await fs.readFile(certPath).then(
      (b) => new TextDecoder().decode(b),
      () => undefined,
    );
    if (cert === undefined && !isLoopback(host)) {
      return {
        config: configPath,
        folderId,
        error: `Syncthing's GUI is HTTPS at ${host}, not this machine, and its certificate (${certPath}) could not be read to check it; the API key is not sent`,
      };
    }
  }
  const get = async (path: string) => {
    const response =
      config.tls && options.fetch === undefined
        ? await httpsGet(`${base}${path}`, config.apiKey, cert, timeoutMs)
        : await (options.fetch ?? fetch)(`${base}${path}`, {
            headers: { 'X-API-Key': config.apiKey },
            signal: AbortSignal.timeout(timeoutMs),
          });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const id = encodeURIComponent(folderId);
  try {
    const num = (v: unknown) => (typeof v === 'number' ? v : 0);
    const status = await get(`/rest/db/status?folder=${id}`);
    const me = (await get('/rest/system/status')).myID;
    const connections = ((await get('/rest/system/connections')).connections ?? {}) as Record<
      string,
      { connected?: boolean; paused?: boolean }
    >;
    const devices: NonNullable<SyncthingStatus['devices']> = [];
    let remoteNeedItems = 0;
    let remoteNeedBytes = 0;
    for (const device of folderDevices.filter((d) => d !== me)) {
      const c = await get(`/rest/db/completion?folder=${id}&device=${encodeURIComponent(device)}`);
      const needItems = num(c.needItems) + num(c.needDeletes);
      remoteNeedItems += needItems;
      remoteNeedBytes += num(c.needBytes);
      devices.push({
        id: device,
        connected: connections[device]?.connected === true,
        paused: connections[device]?.paused === true,
        completion: num(c.completion),
        needItems,
      });
    }
    const state = typeof status.state === 'string' ? status.state : 'unknown';
    const needItems = num(status.needTotalItems);
    return {
      config: configPath,
      folderId,
      state,
      inSync:
        state === 'idle' && needItems === 0 && remoteNeedItems === 0 && devices.every((d) => d.connected && !d.paused),
      needItems,
      needBytes: num(status.needBytes),
      remoteNeedItems,
      remoteNeedBytes,
      devices,
    };
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
    return {
      config: configPath,
      folderId,
      error: `Syncthing's REST API at ${base} did not answer (${reason})`,
    };
  }
}
