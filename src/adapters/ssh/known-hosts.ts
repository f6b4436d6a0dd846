import { createHmac } from 'node:crypto';
import type { HostKeyTrust } from '../../shared/workstation.js';
import type { HostKeyPin } from '../../core/ports.js';
import { ANY_ADDRESS } from '../../core/host-keys.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { readTextFile } from '../store/json-file.js';

/**
 * CloudRig's per-workstation known_hosts file, in OpenSSH's format so that the system ssh
 * (StrictHostKeyChecking=yes, UserKnownHostsFile=<this file>) checks the same pin as the ssh2
 * paths. A comment line records which instance the keys belong to and whether they were
 * verified; OpenSSH ignores it.
 */

const MARKER = '# cloudrig-pin';

/** What a known_hosts file holds. */
export interface StoredPins {
  readonly instanceId: string | null;
  readonly trust: HostKeyTrust;
  /** The file's host lines: host patterns and `type base64` key. */
  readonly entries: readonly { readonly hosts: string; readonly key: string }[];
}

/**
 * The host field OpenSSH writes and looks up: `host` on port 22, `[host]:port` otherwise; `*` (a
 * seeded pin: the instance's key at whatever address it has, since the file is the workstation's
 * alone) stays `*`, which OpenSSH matches against every name.
 */
export function knownHostsName(host: string, port: number): string {
  if (host === ANY_ADDRESS) return ANY_ADDRESS;
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `type base64` of an OpenSSH public key line, without its comment. */
function keyOf(line: string): string {
  const [type, data] = line.trim().split(/\s+/);
  if (!type || !data || !/^[A-Za-z0-9@.-]+$/.test(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
    throw new Error(`not an OpenSSH public key: ${line.slice(0, 40)}`);
  }
  return `${type} ${data}`;
}

/** The OpenSSH form (`type base64`) of a raw public key blob, as ssh2's hostVerifier sees it. */
export function keyOfBlob(blob: Buffer): string {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return `${type} ${blob.toString('base64')}`;
}

/**
 * Writes the pin, replacing the file: one line per key, then OpenSSH reads the same file. The one
 * writer for keys taken on first use and for keys known before the first connection.
 */
export async function writePins(path: string, pin: HostKeyPin): Promise<void> {
  if (pin.keys.length === 0) throw new Error('no host key to pin');
  const name = knownHostsName(pin.host, pin.port);
  const lines = [
    `${MARKER} instance=${pin.instanceId ?? '-'} trust=${pin.trust}`,
    ...pin.keys.map((key) => `${name} ${keyOf(key)}`),
  ];
  // writeFileAtomic creates the known_hosts directory with mode 0700.
  await writeFileAtomic(path, `${lines.join('\n')}\n`, 0o600);
}

/** The pins in a known_hosts file; null when there is none. Lines CloudRig cannot read are skipped. */
export async function readPins(path: string): Promise<StoredPins | null> {
  const text = await readTextFile(path);
  if (text === null) return null;
  let instanceId: string | null = null;
  let trust: HostKeyTrust = 'unverified';
  const entries: { hosts: string; key: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith(MARKER)) {
      instanceId = /\binstance=(\S+)/.exec(line)?.[1] ?? null;
      if (instanceId === '-') instanceId = null;
      trust = /\btrust=verified\b/.test(line) ? 'verified' : 'unverified';
      continue;
    }
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, type, data] = line.split(/\s+/);
    if (hosts && type && data) entries.push({ hosts, key: `${type} ${data}` });
  }
  return entries.length ? { instanceId, trust, entries } : null;
}

/** Whether a known_hosts host field (plain patterns or a hashed `|1|salt|hash`) names `name`. */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return hosts.split(',').some((pattern) => pattern === name || pattern === ANY_ADDRESS);
}

/** The keys pinned for `host:port`. */
export function pinnedKeys(pins: StoredPins, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return pins.entries.filter((entry) => hostsMatch(entry.hosts, name)).map((entry) => entry.key);
}
