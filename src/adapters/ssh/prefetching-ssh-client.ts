import type { ProbeResult, SshClient, SshTarget } from '../../core/ports.js';
import type { ExecResult } from './exec-result.js';
import { connect, execOn, probeFailure, Ssh2Client, type Connection } from './ssh2-client.js';

/** How long a probe started early may stand in for one asked for later. */
const PREFETCH_FRESH_MS = 5_000;

/** Everything a probe's answer depends on: the address, the login, the key and the pinned host key. */
function targetKey(target: SshTarget): string {
  return JSON.stringify([target.host, target.port, target.user, target.keyPath, target.knownHostsPath, target.instanceId ?? null]);
}

/** An early probe's connection (null when it failed) and its answer. */
interface Held {
  readonly connection: Connection | null;
  readonly result: ProbeResult;
  /** Whether the box ended the connection since (it is then not reused). */
  closed: boolean;
}

/** How a connection is made: host key checked against the pins, then authenticated. */
export type Connect = (target: SshTarget, timeoutMs: number) => Promise<Connection>;

/**
 * An ssh client that can start a full readiness probe before anyone asks for it: `rig status`
 * starts one for the last accepted run while its own code loads, so sshd's handshake and node's
 * compiling overlap. A later probe of exactly that target (same address, user, key, pinned host key
 * and instance) takes the early answer; any other target is probed afresh. The early probe is the
 * same full probe — key exchange checked against the pinned host key, then authentication — so
 * nothing is taken on trust to save time.
 *
 * The early probe's connection stays open until `release()`: the next command for that same target
 * (the watchdog's answer `rig status` asks for) runs over it instead of a second handshake.
 */
export class PrefetchingSshClient implements SshClient {
  private early: { readonly key: string; readonly at: number; readonly held: Promise<Held> } | null = null;
  /** A connection whose probe answered, for the next command to the same target. */
  private open: { readonly key: string; readonly held: Held } | null = null;

  constructor(
    private readonly inner: SshClient = new Ssh2Client(),
    private readonly now: () => number = Date.now,
    private readonly connectTo: Connect = connect,
  ) {}

  /** Starts probing `target` now, for a probe of the same target that may follow. */
  prefetch(target: SshTarget, timeoutMs: number): void {
    const held = this.connectTo(target, timeoutMs).then(
      (connection): Held => {
        const held: Held = { connection, result: { ok: true, hostKey: connection.hostKey }, closed: false };
        connection.client.once('close', () => {
          held.closed = true;
        });
        return held;
      },
      (error: unknown): Held => ({ connection: null, result: probeFailure(error), closed: true }),
    );
    this.early = { key: targetKey(target), at: this.now(), held };
  }

  async probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult> {
    const early = this.early;
    this.early = null;
    if (!early) return this.inner.probe(target, timeoutMs);
    const key = targetKey(target);
    if (early.key !== key || this.now() - early.at > PREFETCH_FRESH_MS) {
      void early.held.then((held) => held.connection?.client.end());
      return this.inner.probe(target, timeoutMs);
    }
    const held = await early.held;
    this.open?.held.connection?.client.end();
    this.open = held.connection ? { key, held } : null;
    return held.result;
  }

  async exec(target: SshTarget, command: string, timeoutMs: number): Promise<ExecResult> {
    const open = this.open;
    if (open && open.key === targetKey(target)) {
      this.open = null;
      // A connection the box ended meanwhile is not reused: the command gets a fresh one.
      if (open.held.connection && !open.held.closed) return execOn(open.held.connection, target, command, Date.now() + timeoutMs, timeoutMs);
    }
    return this.inner.exec(target, command, timeoutMs);
  }

  /** Ends the connections still held (the process is done with ssh). */
  release(): void {
    const early = this.early;
    this.early = null;
    void early?.held.then((held) => held.connection?.client.end());
    this.open?.held.connection?.client.end();
    this.open = null;
  }
}
