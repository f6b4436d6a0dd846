import { readFile } from 'node:fs/promises';
import type ssh2 from 'ssh2';
import type { CipherAlgorithm } from 'ssh2';
import type { HostKeyTrust } from '../../shared/workstation.js';
import { CloudRigError, toErrorInfo } from '../../core/errors.js';
import { shellQuote } from '../../core/ssh-command.js';
import type { ProbeResult, SshClient, SshTarget } from '../../core/ports.js';
import { ANY_ADDRESS, launchTokensOf } from '../../core/host-keys.js';
import { derivedHostKey } from './derived-host-keys.js';
import { keyOfBlob, pinnedKeys, readPins, writePins } from './known-hosts.js';
import { privateKeyProblem } from './private-key-check.js';
import { promptSocket } from './prompt-socket.js';
import { collectExecOutput, commandTimedOut, connectFailed, connectionLost, sshPeerName, type ExecResult } from './exec-result.js';

/** Host key algorithms ssh2 can be told to prefer, by the key type a pin holds. */
const ALGORITHMS_OF_TYPE: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Ciphers CloudRig's connections never offer. ssh2 runs chacha20-poly1305 in JavaScript with a
 * WebAssembly Poly1305, which the app's and `rig`'s bundles leave out (scripts/main-bundle.mjs,
 * POLY1305_STAND_IN: memory and start-up time); AES-GCM, which OpenSSL runs natively and every
 * OpenSSH server offers, is ssh2's first choice anyway.
 */
export const SSH_CIPHERS_NOT_OFFERED: readonly CipherAlgorithm[] = ['chacha20-poly1305@openssh.com'];

function hostKeyMismatch(target: SshTarget): CloudRigError {
  const who = sshPeerName(target);
  const instance = target.instanceId ? `instance ${target.instanceId}` : 'its instance';
  const forget = forgetCommand(target);
  return new CloudRigError('HostKeyMismatch',
    `The ssh host key of ${who} (${instance} at ${target.host}:${target.port}) is not the key pinned for it; CloudRig refused to connect, since someone may be intercepting the connection.`,
    { action: 'forget-host-key', name: target.workstation ?? null, command: forget, instanceId: target.instanceId ?? null, replaced: false });
}

/** `rm` (or `del`) of the workstation's known_hosts file, as a shell line that works when pasted. */
function forgetCommand(target: SshTarget): string {
  return process.platform === 'win32' ? `del "${target.knownHostsPath}"` : `rm ${shellQuote(target.knownHostsPath)}`;
}

/**
 * The pin is verified for another instance than the one the target names (the duplicate this laptop
 * launched and terminated when another laptop's launch came first, and whose key could not be
 * derived): waiting cannot help, so the error says how to take the new instance's key.
 */
function pinOfAnotherInstance(target: SshTarget, pinned: string | null): CloudRigError {
  const who = sshPeerName(target);
  const name = target.workstation ?? '';
  return new CloudRigError('HostKeyMismatch',
    `The ssh host key pinned for ${who} belongs to instance ${pinned ?? '(unknown)'}, not to ${target.instanceId ?? 'the instance it runs now'}; CloudRig cannot check the new instance's key, so it did not connect.`,
    { action: 'forget-host-key', name: name || null, command: forgetCommand(target), instanceId: target.instanceId ?? null, replaced: true });
}

/**
 * A reconnect of a session met a host key other than the one the session first connected with:
 * never trusted, whatever the known_hosts file says now (`rig down` drops the pin).
 */
function sessionKeyChanged(target: SshTarget): CloudRigError {
  const who = sshPeerName(target);
  const instance = target.instanceId ? `instance ${target.instanceId}` : 'its instance';
  return new CloudRigError('HostKeyMismatch',
    `The ssh host key at ${target.host}:${target.port} is not the one this session to ${who} (${instance}) connected with; CloudRig refused to reconnect, and nothing was sent to that host.`,
    { action: 'reconnect', name: target.workstation ?? null });
}

/** A connection that handshook, passed the host key check and authenticated. */
export interface Connection {
  readonly client: ssh2.Client;
  readonly hostKey: HostKeyTrust;
  /** The host key the server presented (`type base64`), which a reconnect of the same session must present again. */
  readonly presentedKey: string;
}

/** How to connect. */
export interface ConnectOptions {
  readonly keepaliveIntervalMs?: number;
  /**
   * A reconnect of a session that already connected: only this key is accepted (whatever the
   * known_hosts file holds now, or whether it exists), and nothing is pinned on first use.
   */
  readonly boundKey?: string;
}

/**
 * Connects, checks the host key against the workstation's known_hosts (pinning it on first use),
 * and authenticates with the workstation's key. Rejects with a CloudRigError when the user must
 * act (key file, host key); with a plain Error for what waiting may cure.
 */
export async function connect(target: SshTarget, timeoutMs: number, options: ConnectOptions = {}): Promise<Connection> {
  const keyProblem = await privateKeyProblem(target);
  if (keyProblem) throw keyProblem;
  const privateKey = await readFile(target.keyPath, 'utf8');
  const pins = await readPins(target.knownHostsPath);
  // A pin taken from another instance says nothing about this one (a relaunch has a new key).
  const current = pins && (pins.instanceId === null || target.instanceId == null || pins.instanceId === target.instanceId) ? pins : null;
  // A verified pin (seeded at launch) is never replaced by a key taken on first use: a target naming
  // another instance is stale (an old run's record), and its connection is not made.
  // A verified pin of another instance (a duplicate this laptop terminated, or an instance another
  // laptop replaced): the new instance's seeded key is derived from its launch's ClientToken, so
  // it is checked as verified too; without a token the connection is refused at once, saying how to recover.
  let derived: string[] | null = null;
  if (pins && !current && pins.trust === 'verified' && options.boundKey === undefined) {
    if (!target.launchToken || !target.workstation) throw pinOfAnotherInstance(target, pins.instanceId);
    const { workstation, launchToken } = target;
    derived = launchTokensOf(launchToken).map((token) => derivedHostKey(privateKey, workstation, token).publicKey);
  }
  const expected = options.boundKey !== undefined ? [options.boundKey] : derived ?? (current ? pinnedKeys(current, target.host, target.port) : []);
  const preferred = [...new Set(expected.flatMap((key) => ALGORITHMS_OF_TYPE[key.split(' ')[0] ?? ''] ?? []))];
  // Loaded on first use: a process that never talks ssh never pays for ssh2.
  const { Client } = (await import('ssh2')).default;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let refused: Error | null = null;
    let trust: HostKeyTrust = 'unverified';
    let presentedKey = '';
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        client.destroy();
        reject(error);
      } else {
        resolve({ client, hostKey: trust, presentedKey });
      }
    };
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    // `on`, not `once`: a peer that resets after a first error (or after 'ready') emits again,
    // and an 'error' without a listener would end the process.
    client
      .on('error', (error) => settle(refused ?? error))
      .on('close', () => settle(refused ?? new Error('the connection closed during the handshake')))
      .once('ready', () => settle(null))
      .connect({
        host: target.host,
        port: target.port,
        sock: promptSocket(target.host, target.port),
        username: target.user,
        privateKey,
        readyTimeout: timeoutMs,
        // A kept-alive session notices a dead peer after three unanswered keepalives.
        ...(options.keepaliveIntervalMs ? { keepaliveInterval: options.keepaliveIntervalMs, keepaliveCountMax: 3 } : {}),
        algorithms: {
          cipher: { append: [], prepend: [], remove: [...SSH_CIPHERS_NOT_OFFERED] },
          ...(preferred.length ? { serverHostKey: { remove: preferred, prepend: preferred } } : {}),
        },
        hostVerifier: (blob: Buffer, verify: (valid: boolean) => void) => {
          const presented = keyOfBlob(blob);
          presentedKey = presented;
          if (options.boundKey !== undefined) {
            // A reconnect: the key of the session's first connection, and no other; never pinned anew.
            if (presented === options.boundKey) {
              trust = current && pinnedKeys(current, target.host, target.port).includes(presented) ? current.trust : 'unverified';
              return verify(true);
            }
            refused = sessionKeyChanged(target);
            return verify(false);
          }
          if (derived) {
            if (!derived.includes(presented)) {
              refused = hostKeyMismatch(target);
              return verify(false);
            }
            // The instance's own seeded key: pinned for it, verified, in place of the other instance's.
            trust = 'verified';
            void writePins(target.knownHostsPath, { host: ANY_ADDRESS, port: 22, keys: derived, instanceId: target.instanceId ?? null, trust: 'verified' })
              .then(() => verify(true), (error: unknown) => {
                refused = new Error(`could not pin the host key in ${target.knownHostsPath}: ${toErrorInfo(error).message}`);
                verify(false);
              });
            return;
          }
          if (current && expected.length > 0) {
            if (expected.includes(presented)) {
              trust = current.trust;
              return verify(true);
            }
            refused = hostKeyMismatch(target);
            return verify(false);
          }
          // Nothing pinned for this instance yet: trust on first use, and pin it for the system ssh.
          writePins(target.knownHostsPath, { host: target.host, port: target.port, keys: [presented], instanceId: target.instanceId ?? null, trust: 'unverified' })
            .then(() => verify(true), (error: unknown) => {
              refused = new Error(`could not pin the host key in ${target.knownHostsPath}: ${toErrorInfo(error).message}`);
              verify(false);
            });
        },
      } as ssh2.ConnectConfig);
  });
}

/** A probe's answer for a connection that failed: the user's problem when it is one, else why. */
export function probeFailure(error: unknown): ProbeResult {
  if (error instanceof CloudRigError) return { ok: false, reason: error.message, problem: error.toInfo() };
  return { ok: false, reason: toErrorInfo(error).message };
}

/** ssh2-based readiness probe and command runner. */
export class Ssh2Client implements SshClient {
  async probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult> {
    try {
      const { client, hostKey } = await connect(target, timeoutMs);
      client.end();
      return { ok: true, hostKey };
    } catch (error) {
      return probeFailure(error);
    }
  }

  async exec(target: SshTarget, command: string, timeoutMs: number): Promise<ExecResult> {
    const deadline = Date.now() + timeoutMs;
    const timedOut = (): CloudRigError => commandTimedOut(target, timeoutMs);
    let connection: Connection;
    try {
      connection = await connect(target, timeoutMs);
    } catch (error) {
      if (error instanceof CloudRigError) throw error;
      if (Date.now() >= deadline) throw timedOut();
      throw connectFailed(target, error);
    }
    return execOn(connection, target, command, deadline, timeoutMs);
  }
}

/**
 * Runs `command` over a connection that already passed the host key check and authenticated, then
 * ends the connection. `deadline` (epoch ms) bounds the run; a run past it fails saying `timeoutMs`,
 * the time the caller gave the whole command.
 */
export function execOn(connection: Connection, target: SshTarget, command: string, deadline: number, timeoutMs: number): Promise<ExecResult> {
  const { client } = connection;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (result: ExecResult | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result instanceof Error) {
        client.destroy();
        reject(result);
      } else {
        client.end();
        resolve(result);
      }
    };
    // The deadline bounds the whole run, not just the handshake.
    const timer = setTimeout(() => finish(commandTimedOut(target, timeoutMs)), Math.max(0, deadline - Date.now()));
    const lost = (why: string): CloudRigError => connectionLost(target, why);
    client.on('error', (error) => finish(lost(error.message)));
    client.on('close', () => finish(lost('closed by the other end')));
    client.exec(command, (error, stream) => {
      if (error) return finish(lost(error.message));
      collectExecOutput(stream, target, finish);
    });
  });
}
