// The state of one workstation as this process knows it: the last snapshot, what EC2 last said,
// the operation under way, duplicates, the ssh probe's findings, the launch this process made. One
// object per workstation (the fleet holds them), so everything about a workstation lives in one place
// and forgetting it is dropping one object.
import type { ErrorInfo, HostKeyTrust, InstanceFacts, Phase, Snapshot, Step, WorkstationSpec } from '../shared/workstation.js';
import { isLive, isSpotInterruption } from './duplicates.js';
import { isTransitional, phaseOfInstance } from './phase.js';
import { describeIntervalWhileProbing } from './poll-policy.js';
import type { ProbeResult, SetupFailureRecord } from './ports.js';
import { instanceRunKey } from './run-key.js';

/** After this long running without an ssh answer, the snapshot says why and what to check. */
const SSH_HINT_AFTER_MS = 2 * 60_000;

/** What the last ssh probe of an instance run found that only the user can fix, and the host key trust once ssh answered. */
export interface SshFinding {
  /** The instance run probed (instanceRunKey). */
  readonly key: string;
  readonly problem: ErrorInfo | null;
  readonly hostKey: HostKeyTrust | null;
}

/** A launch this process made, the only instance it may terminate as a duplicate. */
export interface LaunchedHere {
  readonly instanceId: string;
  readonly clientToken: string;
  readonly onStep?: (step: Step) => void;
}

/** One workstation's state in this process, with the small decisions that read only that state. */
export class Workstation {
  /** The last snapshot published. */
  snapshot: Snapshot | undefined;
  /** The instance run for which ssh has answered, with when. */
  readiness: { readonly key: string; readonly at: number } | null = null;
  /** The operation phase (launching, imaging…) that EC2's state alone does not show. */
  operation: { readonly phase: Phase; readonly step: Step | null } | null = null;
  /** When the current transitional phase began. */
  transitionStartedAt: number | null = null;
  /** Why the last ssh probe failed, for a timeout message that says what to check. */
  probeFailure: { readonly target: string; readonly reason: string } | null = null;
  sshFinding: SshFinding | null = null;
  /** When EC2 was last asked about the workstation, and what it said. */
  described: { readonly at: number; readonly instance: InstanceFacts | null } | null = null;
  /** Every live instance when there is more than one (an error state); empty otherwise. */
  duplicates: readonly InstanceFacts[] = [];
  launchedHere: LaunchedHere | null = null;
  /** Duplicates this process terminated, each with the instance it backed off to (the one a wait then follows). */
  readonly handedOver = new Map<string, string>();
  /** The last instance EC2 reported (or a launch returned), for billed-failure messages. */
  lastKnown: InstanceFacts | null = null;
  /** When AWS last answered: the age of the state shown while offline. */
  answeredAt: number | null = null;
  /** The last instance this process launched, and whether from a saved image (the setup script's follow needs it). */
  lastLaunch: { readonly instanceId: string; readonly fromSavedImage: boolean } | null = null;
  /** The last setup failure (read from the home at each describe), shown while its instance lives. */
  setupFailure: SetupFailureRecord | null = null;

  constructor(readonly name: string) {}

  /** Whether ssh has answered on this very run of `instance`. */
  isReady(instance: InstanceFacts): boolean {
    return this.readiness?.key === instanceRunKey(instance);
  }

  /** The ssh finding of the probe of this very instance run, if any. */
  findingFor(instance: InstanceFacts | null): SshFinding | null {
    const finding = this.sshFinding;
    return finding && instance?.state === 'running' && finding.key === instanceRunKey(instance) ? finding : null;
  }

  /**
   * Whether a refresh now would ask EC2. Not while only ssh can change the picture (the instance
   * runs, ssh has not answered, EC2 was asked within describeIntervalWhileProbing).
   */
  needsDescribe(now: number, force = false): boolean {
    const last = this.described;
    if (force || !last) return true;
    const waitingForSsh = last.instance?.state === 'running' && !this.isReady(last.instance) && this.operation === null;
    return !(waitingForSsh && now - last.at < describeIntervalWhileProbing(this.transitionStartedAt, now));
  }

  /** Records what EC2 answered about the workstation at `now`. */
  noteDescribed(instance: InstanceFacts | null, now: number): void {
    this.described = { at: now, instance };
    this.answeredAt = now;
    this.lastKnown = instance;
  }

  /** Records a probe of `run` at `target` (`user@host:port`). */
  noteProbe(run: string, target: string, result: ProbeResult, now: number): void {
    this.sshFinding = {
      key: run,
      problem: result.ok ? null : (result.problem ?? null),
      hostKey: result.ok ? (result.hostKey ?? null) : null,
    };
    if (result.ok) {
      this.readiness = { key: run, at: now };
      this.probeFailure = null;
    } else {
      this.probeFailure = { target, reason: result.reason };
    }
  }

  /** Remembers how the setup script ended on `instanceId`: a failure, or (null) a success that forgets one of that instance. */
  noteSetupOutcome(instanceId: string, failure: ErrorInfo | null): void {
    if (failure) this.setupFailure = { instanceId, failure };
    else if (this.setupFailure?.instanceId === instanceId) this.setupFailure = null;
  }

  /**
   * The snapshot of `instance` as this workstation's state shows it now. `sshCommand` is the
   * command shown to the user for it (null when none).
   */
  snapshotOf(spec: WorkstationSpec, instance: InstanceFacts | null, error: Snapshot['error'], now: number, sshCommand: string | null): Snapshot {
    // A broken key or a changed host key is shown as the error: waiting for ssh will not cure it.
    const finding = this.findingFor(instance);
    error = error ?? finding?.problem ?? null;
    const ready = instance?.state === 'running' && this.isReady(instance) && !finding?.problem;
    const operation = this.operation;
    const phase: Phase = operation?.phase ?? (error && !instance ? 'error' : phaseOfInstance(instance, ready));
    const probe = this.probeFailure;
    const waitingSince = this.snapshot?.phase === 'running' ? this.transitionStartedAt : null;
    const sshHint: Step | null = phase === 'running' && probe && waitingSince !== null && now - waitingSince >= SSH_HINT_AFTER_MS
      ? { id: 'ssh-wait', label: `ssh to ${probe.target} does not answer yet (${probe.reason}). If this lasts, your address may no longer be admitted: set the workstation's allowed addresses (CIDR) to auto to re-admit it.` }
      : null;
    const setupRecord = this.setupFailure;
    const setupFailure = setupRecord && instance && instance.instanceId === setupRecord.instanceId && isLive(instance) ? setupRecord.failure : null;
    // An error snapshot shows facts from the last answer: its time is theirs, so surfaces can say how old they are.
    const observedAt = error && instance ? (this.answeredAt ?? now) : now;
    return {
      name: spec.name,
      region: spec.region,
      instanceType: instance?.instanceType ?? spec.instanceType,
      phase,
      instance,
      sshCommand,
      error,
      step: operation?.step ?? sshHint,
      observedAt,
      readyAt: ready ? (this.readiness?.at ?? null) : null,
      hostKey: ready ? (finding?.hostKey ?? null) : null,
      ...(this.duplicates.length ? { duplicates: this.duplicates } : {}),
      ...(isSpotInterruption(instance) ? { spotInterrupted: true } : {}),
      ...(setupFailure ? { setupFailure } : {}),
    };
  }

  /** Keeps `snapshot` as the last one (starting the transition clock when its phase changes); true when it shows something new. */
  record(snapshot: Snapshot, now: number): boolean {
    const previous = this.snapshot;
    if (!previous || previous.phase !== snapshot.phase) this.transitionStartedAt = isTransitional(snapshot.phase) ? now : null;
    this.snapshot = snapshot;
    return !previous || !sameView(previous, snapshot);
  }
}

/** The workstations this process knows, one object each, made on first use. */
export class Fleet {
  private readonly members = new Map<string, Workstation>();

  /** The workstation named `name` (a fresh one the first time). */
  of(name: string): Workstation {
    let member = this.members.get(name);
    if (!member) {
      member = new Workstation(name);
      this.members.set(name, member);
    }
    return member;
  }

  /** The workstation named `name` if this process has seen it. */
  find(name: string): Workstation | undefined {
    return this.members.get(name);
  }

  /** Drops everything this process knows about `name`. */
  forget(name: string): void {
    this.members.delete(name);
  }
}

/** Two snapshots show the same thing (ignoring when they were taken). */
function sameView(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify({ ...a, observedAt: 0 }) === JSON.stringify({ ...b, observedAt: 0 });
}
