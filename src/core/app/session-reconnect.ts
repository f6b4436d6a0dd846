// Sessions that survive sleep: a laptop that wakes up, or moves to another network, finds its
// tunnels, `push --watch`, `stats --watch` and the app's GPU panel cut off from the box. The
// session itself reconnects on its next use; this brings it back without waiting for one, so a
// tunnel is ready when the browser asks again, a watch pushes what changed meanwhile, and the
// panel reads again. Each attempt repairs the laptop's address drift first (a new network is a new
// public IP the security group does not admit yet), and the session's own reconnect checks the
// host key it first connected with: a changed key (or an instance that ended) ends the session,
// and nothing tries again. What the user sees is one line when the connection is lost and one
// when it is back, never a line per failed attempt.
import { CloudRigError } from '../errors.js';
import type { Clock } from '../ports.js';
import { awayFor, reconnectDelayMs, RECONNECT_BACKOFF, type BackoffPolicy } from '../reconnect-backoff.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { RemoteSession } from './remote-access.js';

/** What a reconnecting session tells its face: lost (once), back (once), or ended for good. */
export type ReconnectEvent =
  | { readonly kind: 'lost'; readonly line: string }
  | { readonly kind: 'reconnected'; readonly line: string; readonly awayMs: number }
  | { readonly kind: 'ended'; readonly error: CloudRigError };

/** A session kept connected. */
export interface KeptSession {
  /** True from the drop until the connection is back: failures in between are the drop's, already said. */
  readonly reconnecting: boolean;
  /** `onError`, minus the failures a drop causes while the session reconnects (said once, by the 'lost' line). */
  quiet(onError: (error: unknown) => void): (error: unknown) => void;
}

/** Errors after which trying again cannot help: the session has ended (see Ssh2Session). */
export function endsTheSession(error: unknown): error is CloudRigError {
  return error instanceof CloudRigError && (error.code === 'HostKeyMismatch' || error.code === 'SessionEnded');
}

/** The line said once when the connection is lost. */
export function lostLine(workstation: string): string {
  return `Connection to ${workstation} lost; reconnecting…`;
}

/** The line said once when it is back, with how long it was away and what the repair changed. */
export function reconnectedLine(workstation: string, awayMs: number, repaired: string | null): string {
  return `Reconnected to ${workstation} after ${awayFor(awayMs)}.${repaired ? ` ${repaired}` : ''}`;
}

/** What keepReconnecting needs. */
export interface KeepReconnectingOptions {
  readonly session: Pick<RemoteSession, 'connect' | 'onDropped' | 'onReconnected'>;
  readonly workstation: string;
  readonly clock: Clock;
  /** Ends the reconnecting (Ctrl-C, the workstation left ready, the session closed). */
  readonly signal: AbortSignal;
  /** Runs before each attempt: repairs what would refuse it (the security group); a message when it changed something. */
  readonly repair?: () => Promise<string | null>;
  readonly onEvent: (event: ReconnectEvent) => void;
  readonly policy?: BackoffPolicy;
  readonly random?: () => number;
}

/**
 * Each time the session's connection drops, reconnects it: at once, then after bounded, jittered
 * waits (RECONNECT_BACKOFF) until it connects, the session ends (a changed host key, an instance
 * that ended: `ended`, and no further attempt) or `signal` aborts.
 */
export function keepReconnecting(options: KeepReconnectingOptions): KeptSession {
  const { session, clock, signal } = options;
  const random = options.random ?? Math.random;
  let reconnecting = false;
  /** The wait between attempts: cut short when a use of the session reconnected first, so the line comes at once. */
  let nap: AbortController | null = null;

  const reconnect = async (): Promise<void> => {
    const lostAt = clock.now();
    options.onEvent({ kind: 'lost', line: lostLine(options.workstation) });
    let repaired: string | null = null;
    for (let attempt = 0; !signal.aborted; attempt++) {
      // The address first: a reconnect from a network the security group does not admit only times out.
      const note = await options.repair?.().catch(() => null);
      repaired = note ?? repaired;
      if (signal.aborted) return;
      try {
        await session.connect();
        reconnecting = false;
        const awayMs = clock.now() - lostAt;
        options.onEvent({ kind: 'reconnected', awayMs, line: reconnectedLine(options.workstation, awayMs, repaired) });
        return;
      } catch (error) {
        if (endsTheSession(error)) {
          options.onEvent({ kind: 'ended', error });
          return;
        }
      }
      if (signal.aborted) return;
      nap = new AbortController();
      const wake = nap;
      const stop = (): void => wake.abort();
      signal.addEventListener('abort', stop, { once: true });
      await clock.sleep(reconnectDelayMs(attempt, random, options.policy ?? RECONNECT_BACKOFF), wake.signal);
      signal.removeEventListener('abort', stop);
      nap = null;
    }
  };

  session.onDropped(() => {
    if (reconnecting || signal.aborted) return;
    reconnecting = true;
    void reconnect().finally(() => {
      if (signal.aborted) reconnecting = false;
    });
  });

  session.onReconnected(() => nap?.abort());

  return {
    get reconnecting() {
      return reconnecting;
    },
    quiet: (onError) => (error) => {
      if (reconnecting && !endsTheSession(error)) return;
      onError(error);
    },
  };
}

/**
 * The use case both faces call for their tunnels, watches and GPU panel: keepReconnecting for a
 * workstation's session, each attempt following the laptop's address drift first (as `rig ssh`
 * and the app's resume do).
 */
export function keepWorkstationSession(
  c: Pick<CloudRigCore, 'service' | 'clock'>,
  session: Pick<RemoteSession, 'connect' | 'onDropped' | 'onReconnected' | 'target'>,
  options: Pick<KeepReconnectingOptions, 'signal' | 'onEvent'> & Partial<Pick<KeepReconnectingOptions, 'policy' | 'random'>>,
): KeptSession {
  const name = session.target.workstation ?? session.target.host;
  return keepReconnecting({
    ...options,
    session,
    workstation: session.target.workstation ? `workstation ${name}` : name,
    clock: c.clock,
    repair: session.target.workstation
      ? async () => {
        const report = await c.service.followAddressDrift(name);
        return report.changed ? report.message : null;
      }
      : undefined,
  });
}
