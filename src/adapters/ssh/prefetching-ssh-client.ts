import { CloudRigError } from '../../core/errors.js';
import type { ProbeResult, SshClient, SshTarget } from '../../core/ports.js';
import type { ExecResult } from './exec-result.js';
import { connect, execOn, probeFailure, Ssh2Client, type Connection } from './ssh2-client.js';

/** How long a probe started early may stand in for one asked for later. */
const PREFETCH_FRESH_MS = 5_000;

/** Everything a probe's answer depends on: the address, the login, the key and the pinned host key. */
function targetKey(target: SshTarget): string {
  return JSON.stringify([target.host, target.port, target.user, target.keyPath, target.knownHostsPath, target.instanceId ?? null]);
}

/** An early probe's answer, and its first command's answer when one was asked. */
interface Early {
  readonly key: string;
  readonly at: number;
  readonly probe: Promise<ProbeResult>;
  /** The command run right after the probe, over its connection; null when none was asked. */
  readonly first: { readonly command: string; readonly result: Promise<ExecResult> } | null;
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
 * The early probe may also run one read-only command over its connection at once (the watchdog's
 * status, which `rig status` asks for next): a later command that is exactly that one, for exactly
 * that target, takes its answer instead of a second handshake. Any other command connects afresh.
 */
export class PrefetchingSshClient implements SshClient {
  private early: Early | null = null;
  /** The early first command, once its probe was taken, for the command that may follow. */
  private first: { readonly key: string; readonly command: string; readonly result: Promise<ExecResult> } | null = null;

  constructor(
    private readonly inner: SshClient = new Ssh2Client(),
    private readonly now: () => number = Date.now,
    private readonly connectTo: Connect = connect,
  ) {}

  /** Starts probing `target` now (and then running `command` over that connection, when given). */
  prefetch(target: SshTarget, timeoutMs: number, command?: string): void {
    const connection = this.connectTo(target, timeoutMs);
    const probe = connection.then((open): ProbeResult => ({ ok: true, hostKey: open.hostKey }), probeFailure);
    let first: Early['first'] = null;
    if (command === undefined) {
      void connection.then((open) => open.client.end(), () => undefined);
    } else {
      const result = connection.then((open) => execOn(open, target, command, Date.now() + timeoutMs, timeoutMs));
      // Nobody may ask for it: its failure is then nobody's concern.
      result.catch(() => undefined);
      first = { command, result };
    }
    this.early = { key: targetKey(target), at: this.now(), probe, first };
  }

  async probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult> {
    const early = this.early;
    this.early = null;
    const key = targetKey(target);
    if (!early || early.key !== key || this.now() - early.at > PREFETCH_FRESH_MS) return this.inner.probe(target, timeoutMs);
    const result = await early.probe;
    this.first = result.ok && early.first ? { key, ...early.first } : null;
    return result;
  }

  async exec(target: SshTarget, command: string, timeoutMs: number): Promise<ExecResult> {
    const first = this.first;
    this.first = null;
    if (first && first.key === targetKey(target) && first.command === command) {
      // A box that let the command run out its time would do so again: that answer stands. One
      // that ended the connection under it (a reboot, a dropped network) is asked again, afresh.
      const answer = await first.result.catch((error: unknown) => {
        if (error instanceof CloudRigError && error.code === 'SshCommandTimeout') throw error;
        return null;
      });
      if (answer !== null) return answer;
    }
    return this.inner.exec(target, command, timeoutMs);
  }
}
