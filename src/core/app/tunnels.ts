import { CloudRigError } from '../errors.js';
import { naming, type RemoteShell } from './stats.js';
import { replaceControlCharacters } from '../../shared/untrusted-text.js';

/**
 * Ports and Jupyter: local forwards to ports on the workstation over its one kept-alive ssh
 * connection. `rig tunnel` names them as `PORT`, `LOCAL:REMOTE` or `LOCAL:HOST:REMOTE` (as ssh -L
 * does), or by preset; `rig jupyter` finds the running server and forwards its port.
 */

/** One forward: a local port on this computer's loopback to host:port as the workstation sees it. */
export interface TunnelSpec {
  readonly localPort: number;
  readonly remoteHost: string;
  readonly remotePort: number;
  /** The preset's name, when it came from one. */
  readonly label: string | null;
}

/** A forward that is listening. */
export interface OpenTunnel {
  readonly spec: TunnelSpec;
  /** The port it listens on (the spec's, or the one the system chose for 0). */
  readonly localPort: number;
  close(): Promise<void>;
}

/** Listens on this computer's loopback and carries each connection to the workstation. */
export interface PortForwarder {
  /** Rejects with a CloudRigError when the local port is taken. */
  open(spec: TunnelSpec): Promise<OpenTunnel>;
}

/** Named forwards: the usual ports of notebook and training dashboards. */
export const TUNNEL_PRESETS: Readonly<Record<string, number>> = { jupyter: 8888, tensorboard: 6006 };

/** Jupyter's usual port, suggested when none is running. */
const JUPYTER_PORT = 8888;

/** How a forward is written, as the fix for a bad one. */
const USAGE = { action: 'correct-input', field: 'forwards', hint: 'give PORT, LOCAL:REMOTE or LOCAL:HOST:REMOTE (ports 1-65535), or a preset: jupyter, tensorboard; e.g. 8888.' } as const;

function port(text: string, word: string): number {
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 65_535)) throw new CloudRigError('InvalidInput', `${JSON.stringify(word)} is not a port to forward.`, USAGE);
  return value;
}

/** Whether `word` reads as a forward (so `rig tunnel NAME …` can tell a name from a port). */
export function isTunnelWord(word: string): boolean {
  return word in TUNNEL_PRESETS || /^\d+(:[^:]+)?(:\d+)?$/.test(word);
}

/** Parses one `rig tunnel` argument. A host is a name or address the workstation resolves; never an option. */
export function parseTunnelSpec(word: string): TunnelSpec {
  const preset = TUNNEL_PRESETS[word];
  if (preset !== undefined) return { localPort: preset, remoteHost: 'localhost', remotePort: preset, label: word };
  const parts = word.split(':');
  if (parts.length === 1) {
    const p = port(parts[0]!, word);
    return { localPort: p, remoteHost: 'localhost', remotePort: p, label: null };
  }
  if (parts.length === 2) return { localPort: port(parts[0]!, word), remoteHost: 'localhost', remotePort: port(parts[1]!, word), label: null };
  if (parts.length === 3 && /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(parts[1]!)) {
    return { localPort: port(parts[0]!, word), remoteHost: parts[1]!, remotePort: port(parts[2]!, word), label: null };
  }
  throw new CloudRigError('InvalidInput', `${JSON.stringify(word)} is not a port to forward.`, USAGE);
}

/** Parses every argument and refuses two forwards on one local port. */
export function parseTunnelSpecs(words: readonly string[]): TunnelSpec[] {
  if (words.length === 0) throw new CloudRigError('InvalidInput', 'No port to forward.', USAGE);
  const specs = words.map(parseTunnelSpec);
  const seen = new Set<number>();
  for (const spec of specs) {
    if (seen.has(spec.localPort)) {
      throw new CloudRigError('InvalidInput', `Local port ${spec.localPort} is given twice.`, { action: 'correct-input', field: 'forwards', hint: 'give each forward its own local port, e.g. 8889:8888.' });
    }
    seen.add(spec.localPort);
  }
  return specs;
}

/** Opens every forward, or none: if one cannot listen, those already open are closed again. */
export async function openTunnels(forwarder: PortForwarder, specs: readonly TunnelSpec[]): Promise<OpenTunnel[]> {
  const open: OpenTunnel[] = [];
  try {
    for (const spec of specs) open.push(await forwarder.open(spec));
    return open;
  } catch (error) {
    await Promise.all(open.map((tunnel) => tunnel.close()));
    throw error;
  }
}

/**
 * The forwarder with each open tunnel held as a use of its session (`use` gives the release): while
 * any is open, the session is the user's work and the box's idle watchdog counts its connection as
 * use, not as CloudRig's monitoring (see MonitorRegistration).
 */
export function heldWhileOpen(forwarder: PortForwarder, use: () => () => void): PortForwarder {
  return {
    async open(spec) {
      const release = use();
      try {
        const tunnel = await forwarder.open(spec);
        return {
          spec: tunnel.spec,
          localPort: tunnel.localPort,
          close: () => tunnel.close().finally(release),
        };
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}

/** The URL a browser on this computer opens for a forward (or for a path under it). */
export function localUrl(localPort: number, pathAndQuery = '/'): string {
  return `http://127.0.0.1:${localPort}${pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`}`;
}

/** A Jupyter server running on the workstation. */
export interface JupyterServer {
  /** Where the workstation reaches it. */
  readonly host: string;
  readonly port: number;
  readonly basePath: string;
  readonly token: string | null;
}

/**
 * Lists servers with Jupyter Server's JSON (JupyterLab 3+, Notebook 7) or, for older installs,
 * the classic notebook's text list. Fixed text: no user value in it.
 */
export const JUPYTER_LIST_COMMAND = 'jupyter server list --json 2>/dev/null; jupyter notebook list 2>/dev/null; true';

/** The host a forward should aim at for a server URL's host (a wildcard bind is reached on loopback). */
function reachableHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '' || bare === '0.0.0.0' || bare === '::' ? 'localhost' : bare;
}

/** A server URL's parts (core has no URL class: a pattern for the http(s) URLs Jupyter prints). */
function fromUrl(text: string, token: string | null): JupyterServer | null {
  const match = /^(https?):\/\/(\[[^\]]+\]|[^/:?#\s]+)(?::(\d{1,5}))?([^?#\s]*)(?:\?([^#\s]*))?/.exec(text);
  if (!match) return null;
  const [, scheme, host, portText, path, query] = match;
  const fromQuery = (query ?? '').split('&').map((pair) => pair.split('=')).find(([key]) => key === 'token')?.[1];
  let queryToken: string | null;
  try {
    queryToken = fromQuery ? decodeURIComponent(fromQuery) : null;
  } catch {
    queryToken = fromQuery ?? null;
  }
  return {
    host: reachableHost(host!),
    port: portText ? Number(portText) : scheme === 'https' ? 443 : 80,
    basePath: path || '/',
    token: token ?? queryToken,
  };
}

/** The servers in JUPYTER_LIST_COMMAND's output, JSON lines first, then `URL :: DIR` lines. */
export function parseJupyterServers(stdout: string): JupyterServer[] {
  const servers: JupyterServer[] = [];
  const seen = new Set<string>();
  const add = (server: JupyterServer | null): void => {
    if (!server) return;
    const key = `${server.host}:${server.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    servers.push(server);
  };
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('{')) {
      try {
        const info = JSON.parse(line) as { url?: unknown; token?: unknown };
        if (typeof info.url === 'string') add(fromUrl(info.url, typeof info.token === 'string' && info.token !== '' ? info.token : null));
      } catch {
        // not a server line
      }
      continue;
    }
    const match = /^(https?:\/\/\S+)\s+::/.exec(line);
    if (match) add(fromUrl(match[1]!, null));
  }
  return servers;
}

/** Finds the first Jupyter server running on the workstation; none gets an error naming the command that starts one. */
export async function findJupyter(shell: RemoteShell, workstation: string): Promise<JupyterServer> {
  const { stdout } = await shell.exec(JUPYTER_LIST_COMMAND, 20_000).catch(naming('jupyter server list'));
  const server = parseJupyterServers(stdout)[0];
  if (!server) {
    throw new CloudRigError('NoJupyter', `No Jupyter server is running on workstation ${workstation}.`,
      { action: 'start-jupyter', name: workstation, port: JUPYTER_PORT });
  }
  return server;
}

/** The browser URL of a forwarded server, with its token. */
export function jupyterUrl(server: JupyterServer, localPort: number): string {
  // The path is the box's text: a control character in it is percent-encoded, as a browser would.
  const path = replaceControlCharacters(server.basePath, (char) => encodeURIComponent(char));
  const base = path.endsWith('/') ? path : `${path}/`;
  const query = server.token ? `?token=${encodeURIComponent(server.token)}` : '';
  return localUrl(localPort, `${base}${query}`);
}
