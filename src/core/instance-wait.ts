// Waiting for an instance to reach a state: polls that back off with the time waited, bounded by a
// deadline, and ended at once when someone else (another command, the console, the idle watchdog, a
// spot interruption) stops or terminates the instance being waited for.
import type { InstanceStateName, Snapshot, WorkstationSpec } from '../shared/workstation.js';
import { isSpotInterruptionReason } from './duplicates.js';
import { CloudRigError } from './errors.js';
import type { Lifecycle, OperationOptions } from './lifecycle-context.js';
import { POLL, waitPollDelay } from './poll-policy.js';

/**
 * What a wait watches besides its goal: the instance it waits for, and the states that mean
 * someone else (another command, the console, the idle watchdog, a spot interruption) stopped or
 * terminated it. `gone` is the instance no longer listed (terminated and purged).
 */
export interface InterferenceWatch {
  /** The instance waited for; null adopts the first one seen. */
  readonly instanceId: string | null;
  readonly unexpected: ReadonlyArray<InstanceStateName | 'gone'>;
  /** The action waiting, for the message (`start`), in words both faces can show. */
  readonly by: string;
}

/** A wait for the instance to run (or ssh to answer) ends if it is stopped or terminated meanwhile. */
export function untilRunning(instanceId: string | null, by = 'start'): InterferenceWatch {
  return { instanceId, unexpected: ['stopping', 'stopped', 'shutting-down', 'terminated', 'gone'], by };
}

/** A wait for the instance to stop ends if it is terminated meanwhile. */
export function untilStopped(instanceId: string | null, by = 'stop'): InterferenceWatch {
  return { instanceId, unexpected: ['shutting-down', 'terminated', 'gone'], by };
}

/**
 * States that cannot be a stale read of the action being waited on; the others (`stopped` or
 * `gone` right after a start or a launch, as EC2's eventually consistent reads may show) count
 * only once the wait has seen the instance in an expected state.
 */
const NEVER_STALE: ReadonlySet<InstanceStateName | 'gone'> = new Set(['stopping', 'shutting-down', 'terminated']);

/**
 * Polls until `done(snapshot)` holds; throws on timeout, abort, an AWS error, or (with `watch`)
 * as soon as the instance waited for is stopped or terminated by someone else. Polls back off
 * with the time waited (poll policy), so a long wait costs few DescribeInstances.
 */
export async function waitFor(
  lifecycle: Lifecycle,
  spec: WorkstationSpec,
  done: (snapshot: Snapshot) => boolean,
  what: string,
  deadline: number,
  options: OperationOptions,
  watch?: InterferenceWatch,
): Promise<Snapshot> {
  const { clock } = lifecycle.deps;
  const started = clock.now();
  let watchedId = watch?.instanceId ?? null;
  let seenExpected = false;
  for (;;) {
    const snapshot = await lifecycle.refresh(spec.name);
    if (done(snapshot)) return snapshot;
    if (snapshot.error && snapshot.error.code !== 'EndpointUnreachable') throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
    if (watch && !snapshot.error) {
      const instance = snapshot.instance;
      watchedId ??= instance?.instanceId ?? null;
      // This run terminated its own launch as a duplicate: the wait goes on with the instance it backed off to.
      if (watchedId !== null && instance && instance.instanceId === lifecycle.fleet.of(spec.name).handedOver.get(watchedId)) watchedId = instance.instanceId;
      const state: InstanceStateName | 'gone' = instance && instance.instanceId === watchedId ? instance.state : 'gone';
      if (!watch.unexpected.includes(state)) seenExpected = true;
      else if (watchedId !== null && (seenExpected || NEVER_STALE.has(state))) {
        throw interrupted(spec, watchedId, state, instance?.instanceId === watchedId ? instance.stateReason : null, what, watch);
      }
    }
    if (options.signal?.aborted) throw new CloudRigError('Aborted', `Stopped waiting for ${what}.`, { action: 'retry', reason: 'aborted' });
    const now = clock.now();
    if (now >= deadline) {
      const probe = lifecycle.fleet.of(spec.name).probeFailure;
      if (snapshot.phase === 'running' && probe) {
        // What is billed and how to stop it is added by failureSayingWhatIsBilled, as for every failure of up.
        throw new CloudRigError('SshTimeout', `The instance runs, but ssh to ${probe.target} did not answer: ${probe.reason}.`,
          { action: 'check-ssh-access', name: spec.name, sshUser: spec.sshUser, waiting: true });
      }
      throw new CloudRigError('Timeout', `Timed out waiting for ${what}.`,
        { action: 'wait-longer', state: snapshot.instance?.state ?? 'absent' });
    }
    // The phase's own pace (fast at first, slower as a transition drags on), never faster than the wait's back-off.
    const paced = lifecycle.nextDelay(snapshot);
    const delay = Math.min(Math.max(paced === POLL.steady ? 0 : paced, waitPollDelay(started, now)), deadline - now);
    await clock.sleep(Math.max(delay, 50), options.signal);
  }
}

/** The error of a wait whose instance someone else stopped or terminated (AWS itself, for a spot instance it took back). */
function interrupted(spec: WorkstationSpec, instanceId: string, state: InstanceStateName | 'gone', reason: string | null, what: string, watch: InterferenceWatch): CloudRigError {
  const stopped = state === 'stopping' || state === 'stopped';
  if (isSpotInterruptionReason(reason)) {
    const now = stopped ? 'It is stopped, not terminated' : 'It is terminated';
    return new CloudRigError('InstanceInterrupted',
      `AWS took back the spot instance ${instanceId} (workstation ${spec.name}) while waiting for ${what}: the spot market reclaimed its capacity (EC2 says: ${reason}). ${now}.`,
      { action: 'spot-interrupted', name: spec.name, stopped });
  }
  const words = state === 'gone' ? 'terminated (it is no longer listed)' : state === 'shutting-down' ? 'being terminated (shutting-down)' : `${state}`;
  const why = reason ? ` EC2 says: ${reason}.` : '';
  const message = `${instanceId} (workstation ${spec.name}) is ${words}: something other than this ${watch.by} changed it while it waited for ${what}.${why}`;
  return new CloudRigError('InstanceInterrupted', message, { action: 'after-interruption', name: spec.name, stopped });
}
