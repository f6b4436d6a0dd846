import type {
  ErrorInfo,
  HostKeyTrust,
  InstanceFacts,
  InstanceStateName,
  Phase,
  SavedImage,
  ScannedInstance,
  Snapshot,
  Step,
  WorkstationSpec,
} from '../shared/workstation.js';
import { duplicatesOf, isLive, isSpotInterruption, isSpotInterruptionReason, keeperOf } from './duplicates.js';
import { launchEnded } from './ended-launch.js';
import { billedFailure, rateWords, type BilledInstance } from './billed-failure.js';
import { CloudRigError, toErrorInfo } from './errors.js';
import { thenFix, type Fix } from '../shared/errors.js';
import { instanceRunKey } from './run-key.js';
import { Emitter } from './emitter.js';
import { isTransitional, phaseOfInstance } from './phase.js';
import { describeIntervalWhileProbing, nextPollDelay, POLL, waitPollDelay } from './poll-policy.js';
import type {
  Clock,
  Cloud,
  CloudGateway,
  IdSource,
  KeyStore,
  LaunchLedger,
  Locks,
  PublicIp,
  SettingsStore,
  SetupFailureRecord,
  SetupFailures,
  SshClient,
  SshTarget,
} from './ports.js';
import { sshCommandLine, sshTargetOf } from './ssh-command.js';
import { displayedSshCommand } from './ssh-config.js';
import type { AcceptedRuns } from './ssh-readiness.js';
import { validateCidr, validateDisk } from './validate.js';
import { followAddressDrift, publicCidrOf, type DriftReport } from './app/address-drift.js';
import { derivedPin, seededPin, type HostKeyMaker, type SeededHostKey } from './app/host-keys.js';
import { recordArchive, resolveLaunchImage } from './archived-image.js';

/** Everything the service needs from the outside world. */
export interface WorkstationServiceDeps {
  readonly cloud: Cloud;
  readonly keys: KeyStore;
  readonly settings: SettingsStore;
  readonly ledger: LaunchLedger;
  readonly locks: Locks;
  readonly ssh: SshClient;
  readonly publicIp: PublicIp;
  readonly clock: Clock;
  readonly newId: IdSource;
  /** User data for a launch (the seeded host key, the idle watchdog, the setup script); null for none. */
  readonly userDataFor?: (spec: WorkstationSpec, launch?: { readonly hostKey?: SeededHostKey | null }) => string | null;
  /** Makes the host key seeded into each launch (pinned before the first connection); without it, keys are taken on first use. */
  readonly hostKeys?: HostKeyMaker;
  /** Where the target of each run whose key was accepted is recorded, for a probe started early by the next process. */
  readonly acceptedRuns?: AcceptedRuns;
  /** Where a failed setup script is remembered across processes; without it, only this process remembers. */
  readonly setupFailures?: SetupFailures;
}

/** Options common to long operations. */
export interface OperationOptions {
  /** Called as each step starts. */
  readonly onStep?: (step: Step) => void;
  readonly signal?: AbortSignal;
}

export interface UpOptions extends OperationOptions {
  readonly waitSsh?: boolean;
  readonly timeoutMs?: number;
}

export interface DownOptions extends OperationOptions {
  readonly saveImage?: boolean;
  readonly timeoutMs?: number;
  /** With `saveImage`: runs once the image is available and before anything is terminated (an archive verifies and records it here). */
  readonly beforeTerminate?: (imageId: string, instance: InstanceFacts) => Promise<void>;
}

/** What `init` did. */
export interface InitResult {
  readonly spec: WorkstationSpec;
  readonly created: readonly string[];
  readonly keyPath: string;
  /** Things the user must know, e.g. an instance launched with a key whose private half is lost. */
  readonly warnings: readonly InitWarning[];
}

/** A warning from `init`: what the user must know, and what to do, worded by each face. */
export interface InitWarning {
  readonly message: string;
  readonly fix: Fix;
}

const DEFAULT_UP_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_IMAGE_TIMEOUT_MS = 60 * 60_000;
const SSH_PROBE_TIMEOUT_MS = 3_000;
/** After this long running without an ssh answer, the snapshot says why and what to check. */
const SSH_HINT_AFTER_MS = 2 * 60_000;

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

/** `record` without the entry for `key`. */
function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

/** The key pair and security group name for a workstation. */
export function resourceName(workstation: string): string {
  return `cloudrig-${workstation}`;
}

/**
 * The workstation lifecycle over the ports: init, up, stop, down, images, status. Every
 * observation becomes a snapshot, fired on `onDidChange` when it differs from the last one.
 */
export class WorkstationService {
  private readonly changed = new Emitter<Snapshot>();
  private readonly snapshots = new Map<string, Snapshot>();
  /** Instance id + launch time for which ssh has answered, with when. */
  private readonly readiness = new Map<string, { key: string; at: number }>();
  /** Operation phases (launching, imaging…) that EC2's state alone does not show. */
  private readonly operations = new Map<string, { phase: Phase; step: Step | null }>();
  private readonly transitionStarted = new Map<string, number>();
  /** Why the last ssh probe failed, for a timeout message that says what to check. */
  private readonly lastProbeFailure = new Map<string, { target: string; reason: string }>();
  /** What the last ssh probe of an instance found that only the user can fix, and the host key trust once ssh answered. */
  private readonly sshFindings = new Map<string, { key: string; problem: ErrorInfo | null; hostKey: HostKeyTrust | null }>();
  /** When EC2 was last asked about each workstation, and what it said. */
  private readonly described = new Map<string, { at: number; instance: InstanceFacts | null }>();
  /** Every live instance of a workstation when there is more than one (an error state). */
  private readonly duplicates = new Map<string, readonly InstanceFacts[]>();
  /** The instance this process launched per workstation: the only one it may terminate as a duplicate. */
  private readonly launchedHere = new Map<string, { instanceId: string; clientToken: string; onStep?: (step: Step) => void }>();
  /** Duplicates this process terminated, each with the instance it backed off to (the one a wait then follows). */
  private readonly handedOver = new Map<string, string>();
  /** The last instance EC2 reported (or a launch returned) per workstation, for billed-failure messages. */
  private readonly lastKnown = new Map<string, InstanceFacts>();
  /** When AWS last answered about each workstation: the age of the state shown while offline. */
  private readonly answeredAt = new Map<string, number>();
  /** The last instance this process launched per workstation, and whether from a saved image (the setup script's follow needs it). */
  private readonly launches = new Map<string, { instanceId: string; fromSavedImage: boolean }>();
  /** The last setup failure per workstation (read from the home at each describe), shown while its instance lives. */
  private readonly setupFailures = new Map<string, SetupFailureRecord>();

  /** Fires with each new snapshot of any workstation. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: WorkstationServiceDeps) {}

  /** The spec of a workstation; the only one when `name` is omitted. */
  spec(name?: string): WorkstationSpec {
    const { workstations } = this.deps.settings.read();
    const names = Object.keys(workstations);
    if (name === undefined) {
      const only = names.length === 1 ? names[0] : undefined;
      if (only === undefined) {
        throw names.length === 0
          ? new CloudRigError('NoWorkstation', 'No workstation is set up yet.', { action: 'create-workstation', name: null })
          : new CloudRigError('WhichWorkstation', `There are ${names.length} workstations: ${names.join(', ')}.`, { action: 'choose-workstation', names, missing: null });
      }
      name = only;
    }
    const spec = workstations[name];
    if (!spec) {
      throw new CloudRigError('UnknownWorkstation', `There is no workstation ${name}. ${names.length ? `Known: ${names.join(', ')}.` : 'None is set up yet.'}`,
        { action: 'choose-workstation', names, missing: name });
    }
    return spec;
  }

  /** Names of all saved workstations. */
  names(): string[] {
    return Object.keys(this.deps.settings.read().workstations);
  }

  /** The last snapshot seen, without asking AWS. */
  cached(name: string): Snapshot | undefined {
    return this.snapshots.get(name);
  }

  /**
   * Saves the spec and makes sure the key pair and security group exist. Idempotent.
   * `ingressCidr` may be `auto`: the caller's public IP /32.
   */
  async init(input: Omit<WorkstationSpec, 'ingressCidr'> & { ingressCidr: string }, options: OperationOptions & { newKey?: boolean } = {}): Promise<InitResult> {
    const auto = input.ingressCidr === 'auto';
    const cidr = auto ? await this.publicCidr() : validateCidr(input.ingressCidr, 'ingressCidr', { allowAnywhere: input.ingressAnywhere === true });
    const spec: WorkstationSpec = { ...input, ingressCidr: cidr, ingressAuto: auto };
    const gateway = this.deps.cloud.gateway(spec.region);
    const created: string[] = [];
    const warnings: InitWarning[] = [];
    options.onStep?.({ id: 'key-pair', label: `Key pair ${resourceName(spec.name)}` });
    const key = await this.ensureKeyPair(gateway, spec.name, spec.instanceType, options.newKey === true);
    if (key.created) created.push('key-pair');
    if (key.replaced) {
      // The old private key is gone: an instance launched with it can never be logged in to.
      const stranded = (await gateway.findWorkstationInstances(spec.name)).filter(isLive);
      for (const instance of stranded) {
        warnings.push({
          message: `${instance.instanceId} (${instance.state}) was launched with the key pair whose private key is lost, so nobody can log in to it.`,
          fix: { action: 'replace-stranded-instance', name: spec.name },
        });
      }
    }
    options.onStep?.({ id: 'security-group', label: `Security group ${resourceName(spec.name)} admitting ${cidr} on tcp/22` });
    const group = await gateway.ensureSecurityGroup(spec.name, cidr, 22);
    if (group.created) created.push('security-group');
    this.deps.settings.saveWorkstation(spec);
    return { spec, created, keyPath: this.deps.keys.pathOf(resourceName(spec.name)), warnings };
  }

  private publicCidr(): Promise<string> {
    return publicCidrOf(this.deps.publicIp);
  }

  /**
   * Makes sure AWS has the workstation's key pair and this machine its private key. The key is
   * always made here and imported (ImportKeyPair), never created by AWS: no private key crosses the
   * wire, and a crash at any point leaves either nothing or a local key the next run imports. A key
   * pair in AWS whose private key is not here (another machine, a deleted home) is replaced only
   * when asked (`replace`): another machine may still hold that key.
   */
  private async ensureKeyPair(gateway: CloudGateway, workstation: string, instanceType: string, replace = false): Promise<{ created: boolean; replaced: boolean }> {
    const keyName = resourceName(workstation);
    const local = await this.deps.keys.read(keyName);
    const remote = await gateway.keyPairExists(keyName);
    if (remote && local) return { created: false, replaced: false };
    if (remote && !replace) {
      throw new CloudRigError('KeyPairWithoutPrivateKey',
        `AWS has the key pair ${keyName} in ${gateway.region}, but its private key is not at ${this.deps.keys.pathOf(keyName)}.`,
        { action: 'replace-key', name: workstation, region: gateway.region, instanceType });
    }
    if (remote) await gateway.deleteKeyPair(keyName);
    const publicKey = local ? await this.deps.keys.publicKeyOf(local) : await this.deps.keys.create(keyName);
    await gateway.importKeyPair(keyName, publicKey, workstation);
    return { created: true, replaced: remote };
  }

  /**
   * Asks AWS for the workstation's state and returns the new snapshot. Probes ssh when running,
   * unless told not to (the caller then probes with `probeReady`, e.g. alongside other work).
   * `found` is what EC2 already said about the workstation's instances (the fleet watch's one call
   * per region); its rejection counts as AWS failing, like the workstation's own call would.
   */
  /**
   * Whether a refresh of `name` now would ask EC2. Not while only ssh can change the picture (the
   * instance runs, ssh has not answered, EC2 was asked within describeIntervalWhileProbing): then a
   * refresh only probes ssh, so a box whose ssh never answers costs few DescribeInstances.
   */
  needsDescribe(name: string, force = false): boolean {
    const last = this.described.get(name);
    if (force || !last) return true;
    const now = this.deps.clock.now();
    const waitingForSsh = last.instance?.state === 'running' && !this.isReady(name, last.instance) && !this.operations.has(name);
    return !(waitingForSsh && now - last.at < describeIntervalWhileProbing(this.transitionStarted.get(name) ?? null, now));
  }

  /**
   * `found`: the fleet watch asked EC2 for every workstation of the region in one call; `describe`:
   * false when the fleet watch decided (needsDescribe) that this refresh only probes ssh.
   */
  async refresh(name?: string, options: { probeSsh?: boolean; force?: boolean; found?: Promise<InstanceFacts[]>; describe?: boolean } = {}): Promise<Snapshot> {
    const spec = await this.specOrFound(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    let instance: InstanceFacts | null;
    const now = this.deps.clock.now();
    const last = this.described.get(spec.name);
    if (last && (options.describe === false || (options.describe === undefined && !this.needsDescribe(spec.name, options.force)))) {
      // Only ssh can change the picture now: probe it without asking EC2 again.
      instance = last.instance;
    } else {
      try {
        // `found`: the fleet watch asked for every workstation of the region in one call.
        const instances = await this.resolveDuplicates(spec, gateway, await (options.found ?? gateway.findWorkstationInstances(spec.name)));
        instance = keeperOf(instances);
        this.duplicates.set(spec.name, duplicatesOf(instances));
      } catch (error) {
        // Offline (or AWS failing): keep showing the last known instance, never "absent" or "stopped".
        return this.publish(spec, this.snapshots.get(spec.name)?.instance ?? this.lastKnown.get(spec.name) ?? null, toErrorInfo(error));
      }
      this.described.set(spec.name, { at: now, instance });
      this.answeredAt.set(spec.name, now);
      await this.readSetupFailure(spec.name);
      if (instance) this.lastKnown.set(spec.name, instance);
      else this.lastKnown.delete(spec.name);
    }
    if (options.probeSsh !== false && instance?.state === 'running' && !this.isReady(spec.name, instance)) {
      await this.probeOnce(spec, instance);
    }
    return this.publish(spec, instance, null);
  }

  /**
   * When this process launched one of several live instances of the workstation and it is not the
   * one to keep (the oldest), terminates it: of two machines that both launched, the newer backs
   * off, and both end on the older. Returns the instances as they now are.
   */
  private async resolveDuplicates(spec: WorkstationSpec, gateway: CloudGateway, instances: InstanceFacts[]): Promise<InstanceFacts[]> {
    const mine = this.launchedHere.get(spec.name);
    const duplicates = duplicatesOf(instances);
    if (!mine || duplicates.length < 2) return instances;
    // This run's launches: the one it was answered with, and any other its token made (a retried
    // RunInstances on an endpoint that ignores ClientToken launches again; EC2 reports the token).
    const ours = duplicates.filter((i) => i.instanceId === mine.instanceId || sameLaunch(i.clientToken, mine.clientToken));
    const keeper = duplicates[0]!;
    const extra = ours.filter((i) => i.instanceId !== keeper.instanceId);
    if (!ours.some((i) => i.instanceId === mine.instanceId) || extra.length === 0) return instances;
    for (const duplicate of extra) {
      mine.onStep?.({ id: 'duplicate', label: `Another launch of ${spec.name} came first (${keeper.instanceId}); terminating ${duplicate.instanceId}, the duplicate this run launched` });
      await gateway.terminateInstance(duplicate.instanceId);
      this.handedOver.set(duplicate.instanceId, keeper.instanceId);
    }
    this.launchedHere.delete(spec.name);
    const record = await this.deps.ledger.get(spec.name);
    if (record) await this.deps.ledger.put(spec.name, { ...record, instanceId: keeper.instanceId });
    await this.pinKeeper(spec, keeper);
    return instances.map((i) => (extra.some((d) => d.instanceId === i.instanceId) ? { ...i, state: 'shutting-down' as const } : i));
  }

  /**
   * The pin this home holds is its own terminated duplicate's: replaced by the keeper's key, derived
   * from its ClientToken when EC2 reports one. Otherwise the old pin stays, and the first connection
   * to the keeper is refused at once with the command that forgets it (never a wait until the timeout).
   */
  private async pinKeeper(spec: WorkstationSpec, keeper: InstanceFacts): Promise<void> {
    if (spec.seedHostKey === false || !this.deps.hostKeys || !keeper.clientToken) return;
    await this.deps.keys.pinHostKeys(spec.name, await derivedPin(this.deps.hostKeys, spec.name, keeper.instanceId, keeper.clientToken));
  }

  /**
   * The spec, or — when this home has none — an error that says which CloudRig instances AWS
   * runs and how to take them over (a deleted home must not hide a billed instance).
   */
  async specOrFound(name?: string): Promise<WorkstationSpec> {
    try {
      return this.spec(name);
    } catch (error) {
      if (!(error instanceof CloudRigError) || (error.code !== 'NoWorkstation' && error.code !== 'UnknownWorkstation')) throw error;
      const found = await this.deps.cloud.scan().catch(() => null);
      const ours = (found ?? []).filter((i) => i.workstation !== null && (name === undefined || i.workstation === name));
      if (!ours.length) throw error;
      const list = ours.map((i) => `${i.instanceId} (workstation ${i.workstation}, ${i.instanceType}, ${i.state} in ${i.region})`).join(', ');
      const first = ours[0]!;
      throw new CloudRigError('WorkstationNotInThisHome',
        `This CloudRig home has no ${name === undefined ? 'workstation' : `workstation named "${name}"`}, but AWS has CloudRig's ${list}${ours.some((i) => i.state !== 'stopped') ? ', billed while it runs' : ''}.`,
        { action: 'adopt-workstation', name: first.workstation!, region: first.region, instanceType: first.instanceType });
    }
  }

  /** Probes ssh on the instance last seen running (no EC2 call) and returns the new snapshot. */
  async probeReady(name: string): Promise<Snapshot> {
    const spec = this.spec(name);
    const last = this.snapshots.get(spec.name);
    const instance = last?.instance ?? null;
    if (instance?.state === 'running' && !this.isReady(spec.name, instance)) await this.probeOnce(spec, instance);
    return this.publish(spec, instance, last?.error ?? null);
  }

  private readinessKey(instance: InstanceFacts): string {
    return instanceRunKey(instance);
  }

  private isReady(name: string, instance: InstanceFacts): boolean {
    return this.readiness.get(name)?.key === this.readinessKey(instance);
  }

  private target(spec: WorkstationSpec, instance: InstanceFacts | null): SshTarget | null {
    const keyName = resourceName(spec.name);
    return sshTargetOf(spec, instance, this.deps.keys.pathOf(keyName), this.deps.keys.knownHostsPathOf(spec.name));
  }

  private async probeOnce(spec: WorkstationSpec, instance: InstanceFacts): Promise<boolean> {
    const target = this.target(spec, instance);
    if (!target) return false;
    const run = this.readinessKey(instance);
    const result = await this.deps.ssh.probe(target, SSH_PROBE_TIMEOUT_MS);
    // Remembered for the next process: `rig status` starts its (full) probe of this target while it loads.
    if (result.ok) await this.deps.acceptedRuns?.add(spec.name, run, target);
    this.sshFindings.set(spec.name, {
      key: run,
      problem: result.ok ? null : (result.problem ?? null),
      hostKey: result.ok ? (result.hostKey ?? null) : null,
    });
    if (result.ok) {
      this.readiness.set(spec.name, { key: run, at: this.deps.clock.now() });
      this.lastProbeFailure.delete(spec.name);
    } else {
      this.lastProbeFailure.set(spec.name, { target: `${target.user}@${target.host}:${target.port}`, reason: result.reason });
    }
    return result.ok;
  }

  /** The ssh finding of the probe of this very instance run, if any. */
  private sshFinding(name: string, instance: InstanceFacts | null) {
    const finding = this.sshFindings.get(name);
    return finding && instance?.state === 'running' && finding.key === this.readinessKey(instance) ? finding : null;
  }

  private publish(spec: WorkstationSpec, instance: InstanceFacts | null, error: Snapshot['error']): Snapshot {
    // A broken key or a changed host key is shown as the error: waiting for ssh will not cure it.
    const finding = this.sshFinding(spec.name, instance);
    error = error ?? finding?.problem ?? null;
    const ready = instance?.state === 'running' && this.isReady(spec.name, instance) && !finding?.problem;
    const operation = this.operations.get(spec.name);
    const phase: Phase = operation?.phase ?? (error && !instance ? 'error' : phaseOfInstance(instance, ready));
    const now = this.deps.clock.now();
    const probe = this.lastProbeFailure.get(spec.name);
    const waitingSince = this.snapshots.get(spec.name)?.phase === 'running' ? this.transitionStarted.get(spec.name) : undefined;
    const sshHint: Step | null = phase === 'running' && probe && waitingSince !== undefined && now - waitingSince >= SSH_HINT_AFTER_MS
      ? { id: 'ssh-wait', label: `ssh to ${probe.target} does not answer yet (${probe.reason}). If this lasts, your address may no longer be admitted: set the workstation's allowed addresses (CIDR) to auto to re-admit it.` }
      : null;
    const target = this.target(spec, instance);
    const setupRecord = this.setupFailures.get(spec.name);
    const setupFailure = setupRecord && instance && instance.instanceId === setupRecord.instanceId && isLive(instance) ? setupRecord.failure : null;
    // An error snapshot shows facts from the last answer: its time is theirs, so surfaces can say how old they are.
    const observedAt = error && instance ? (this.answeredAt.get(spec.name) ?? now) : now;
    const snapshot: Snapshot = {
      name: spec.name,
      region: spec.region,
      instanceType: instance?.instanceType ?? spec.instanceType,
      phase,
      instance,
      sshCommand: target && instance && instance.state !== 'terminated' ? displayedCommandOrNull(spec.name, target, this.deps.settings.read().sshConfigInstalled) : null,
      error,
      step: operation?.step ?? sshHint,
      observedAt,
      readyAt: ready ? (this.readiness.get(spec.name)?.at ?? null) : null,
      hostKey: ready ? (finding?.hostKey ?? null) : null,
      ...(this.duplicates.get(spec.name)?.length ? { duplicates: this.duplicates.get(spec.name) } : {}),
      ...(isSpotInterruption(instance) ? { spotInterrupted: true } : {}),
      ...(setupFailure ? { setupFailure } : {}),
    };
    const previous = this.snapshots.get(spec.name);
    if (!previous || previous.phase !== snapshot.phase) {
      if (isTransitional(snapshot.phase)) this.transitionStarted.set(spec.name, now);
      else this.transitionStarted.delete(spec.name);
    }
    this.snapshots.set(spec.name, snapshot);
    if (!previous || !sameView(previous, snapshot)) this.changed.fire(snapshot);
    return snapshot;
  }

  /** How long the watcher should wait before the next refresh of this workstation. */
  nextDelay(snapshot: Snapshot): number {
    return nextPollDelay(snapshot, this.transitionStarted.get(snapshot.name) ?? null, this.deps.clock.now());
  }

  private setOperation(spec: WorkstationSpec, phase: Phase | null, step: Step | null, options: OperationOptions): void {
    if (phase === null) this.operations.delete(spec.name);
    else this.operations.set(spec.name, { phase, step });
    if (step) options.onStep?.(step);
    const last = this.snapshots.get(spec.name);
    this.publish(spec, last?.instance ?? null, null);
  }

  /**
   * Polls until `done(snapshot)` holds; throws on timeout, abort, an AWS error, or (with `watch`)
   * as soon as the instance waited for is stopped or terminated by someone else. Polls back off
   * with the time waited (poll policy), so a long wait costs few DescribeInstances.
   */
  private async waitFor(
    spec: WorkstationSpec,
    done: (snapshot: Snapshot) => boolean,
    what: string,
    deadline: number,
    options: OperationOptions,
    watch?: InterferenceWatch,
  ): Promise<Snapshot> {
    const started = this.deps.clock.now();
    let watchedId = watch?.instanceId ?? null;
    let seenExpected = false;
    for (;;) {
      const snapshot = await this.refresh(spec.name);
      if (done(snapshot)) return snapshot;
      if (snapshot.error && snapshot.error.code !== 'EndpointUnreachable') throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
      if (watch && !snapshot.error) {
        const instance = snapshot.instance;
        watchedId ??= instance?.instanceId ?? null;
        // This run terminated its own launch as a duplicate: the wait goes on with the instance it backed off to.
        if (watchedId !== null && instance && instance.instanceId === this.handedOver.get(watchedId)) watchedId = instance.instanceId;
        const state: InstanceStateName | 'gone' = instance && instance.instanceId === watchedId ? instance.state : 'gone';
        if (!watch.unexpected.includes(state)) seenExpected = true;
        else if (watchedId !== null && (seenExpected || NEVER_STALE.has(state))) {
          throw interrupted(spec, watchedId, state, instance?.instanceId === watchedId ? instance.stateReason : null, what, watch);
        }
      }
      if (options.signal?.aborted) throw new CloudRigError('Aborted', `Stopped waiting for ${what}.`, { action: 'retry', reason: 'aborted' });
      const now = this.deps.clock.now();
      if (now >= deadline) {
        const probe = this.lastProbeFailure.get(spec.name);
        if (snapshot.phase === 'running' && probe) {
          // What is billed and how to stop it is added by failureSayingWhatIsBilled, as for every failure of up.
          throw new CloudRigError('SshTimeout', `The instance runs, but ssh to ${probe.target} did not answer: ${probe.reason}.`,
            { action: 'check-ssh-access', name: spec.name, sshUser: spec.sshUser, waiting: true });
        }
        throw new CloudRigError('Timeout', `Timed out waiting for ${what}.`,
          { action: 'wait-longer', state: snapshot.instance?.state ?? 'absent' });
      }
      // The phase's own pace (fast at first, slower as a transition drags on), never faster than the wait's back-off.
      const paced = this.nextDelay(snapshot);
      const delay = Math.min(Math.max(paced === POLL.steady ? 0 : paced, waitPollDelay(started, now)), deadline - now);
      await this.deps.clock.sleep(Math.max(delay, 50), options.signal);
    }
  }

  /** The instance a failure leaves behind, as last seen (this process) or launched (the ledger). */
  private async billedInstance(spec: WorkstationSpec): Promise<BilledInstance | null> {
    const known = this.lastKnown.get(spec.name);
    if (known) {
      return { workstation: spec.name, region: spec.region, instanceId: known.instanceId, state: known.state, instanceType: known.instanceType || spec.instanceType, spot: known.spot };
    }
    const record = await this.deps.ledger.get(spec.name).catch(() => null);
    if (!record?.instanceId) return null;
    return { workstation: spec.name, region: spec.region, instanceId: record.instanceId, state: null, instanceType: spec.instanceType, spot: spec.spot };
  }

  /**
   * The error of a failed operation on `spec`, naming the instance that is still billed (if any)
   * and how to stop it. For `up`, `down` and any operation that fails after money started flowing.
   */
  async failureSayingWhatIsBilled(spec: WorkstationSpec, error: unknown, note = ''): Promise<CloudRigError> {
    const instance = await this.billedInstance(spec);
    if (instance === null && error instanceof CloudRigError && error.code === 'EndpointUnreachable') {
      // A launch was requested and its answer never came: it may have started an instance.
      const record = await this.deps.ledger.get(spec.name).catch(() => null);
      if (record && !record.instanceId) return unansweredLaunch(spec, error);
    }
    return billedFailure(error, instance, note);
  }

  /**
   * Starts the stopped instance, or launches one when there is none; waits until it runs and
   * (unless told not to) until ssh answers. Never launches a second instance.
   */
  async up(name: string | undefined, options: UpOptions = {}): Promise<Snapshot> {
    const spec = this.spec(name);
    const deadline = this.deps.clock.now() + (options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS);
    const gateway = this.deps.cloud.gateway(spec.region);
    try {
      // Read again once the lock is held: a removal that held it may have taken the workstation away.
      await this.deps.locks.withLock(spec.name, (lockLost) => this.startOrLaunch(this.spec(spec.name), gateway, deadline, options, lockLost));
      this.setOperation(spec, null, { id: 'pending', label: 'Waiting for the instance to run' }, options);
      const watch = untilRunning(this.lastKnown.get(spec.name)?.instanceId ?? null);
      let snapshot = await this.waitFor(spec, (s) => s.instance?.state === 'running', 'the instance to run', deadline, options, watch);
      if (options.waitSsh !== false) {
        options.onStep?.({ id: 'ssh', label: `Waiting for ssh on ${this.target(spec, snapshot.instance)?.host ?? 'the instance'}` });
        snapshot = await this.waitFor(spec, (s) => s.phase === 'ready', 'ssh to answer', deadline, options, untilRunning(snapshot.instance?.instanceId ?? null));
      }
      return snapshot;
    } catch (error) {
      this.operations.delete(spec.name);
      const failure = await this.failureSayingWhatIsBilled(spec, error);
      this.publish(spec, this.snapshots.get(spec.name)?.instance ?? null, failure.toInfo());
      throw failure;
    } finally {
      this.operations.delete(spec.name);
      this.launchedHere.delete(spec.name);
    }
  }

  /**
   * For a workstation whose CIDR follows the user's public IP, re-admits the current address (the
   * laptop may have moved) and revokes CloudRig's rule for the old one; rules the user added stay.
   * `rig up`, `rig ssh` and the app (on a network change) call it. A failed lookup keeps the old rule.
   */
  async followAddressDrift(name?: string): Promise<DriftReport> {
    return followAddressDrift(this.deps, this.spec(name));
  }

  private async refreshIngress(spec: WorkstationSpec, options: OperationOptions): Promise<WorkstationSpec> {
    if (!spec.ingressAuto) return spec;
    const drift = await followAddressDrift(this.deps, spec);
    if (drift.changed || drift.cidr === null) options.onStep?.({ id: 'ingress', label: drift.message });
    return drift.cidr === null ? spec : { ...spec, ingressCidr: drift.cidr };
  }

  private async startOrLaunch(spec: WorkstationSpec, gateway: CloudGateway, deadline: number, options: OperationOptions, lockLost: AbortSignal): Promise<void> {
    spec = await this.refreshIngress(spec, options);
    let instance = keeperOf(await gateway.findWorkstationInstances(spec.name));
    if (instance?.state === 'stopping') {
      options.onStep?.({ id: 'stopping', label: `Waiting for ${instance.instanceId} to finish stopping` });
      instance = (await this.waitFor(spec, (s) => s.instance?.state !== 'stopping', 'the instance to stop', deadline, options)).instance;
    }
    if (instance?.state === 'shutting-down') {
      options.onStep?.({ id: 'terminating', label: `Waiting for ${instance.instanceId} to finish terminating` });
      await this.waitFor(spec, (s) => s.instance === null, 'the old instance to terminate', deadline, options);
      instance = null;
    }
    if (instance?.state === 'stopped' && isSpotInterruption(instance)) {
      // Only the spot service may start it again (EC2 refuses StartInstances): wait for it instead.
      options.onStep?.({ id: 'spot-capacity', label: `${instance.instanceId} was stopped by AWS for spot capacity; waiting for its persistent spot request to get capacity and start it again` });
      return;
    }
    if (instance?.state === 'stopped') {
      this.setOperation(spec, 'pending', { id: 'starting', label: `Starting ${instance.instanceId}`, instanceId: instance.instanceId }, options);
      await gateway.startInstance(instance.instanceId);
      this.described.delete(spec.name);
      return;
    }
    if (instance) {
      options.onStep?.({ id: 'found', label: `Found ${instance.instanceId} (${instance.state})`, instanceId: instance.instanceId });
      return;
    }
    await this.launch(spec, gateway, options, lockLost);
  }

  private async launch(spec: WorkstationSpec, gateway: CloudGateway, options: OperationOptions, lockLost: AbortSignal): Promise<void> {
    this.setOperation(spec, 'launching', { id: 'prepare', label: 'Checking key pair and security group' }, options);
    await this.ensureKeyPair(gateway, spec.name, spec.instanceType);
    const group = await gateway.ensureSecurityGroup(spec.name, spec.ingressCidr, 22);
    this.setOperation(spec, 'launching', { id: 'image', label: 'Finding the image' }, options);
    const image = await resolveLaunchImage(gateway, spec);
    validateDisk(spec.diskGiB, image.minDiskGiB);
    // The token is saved before the call: a retry, a crash and rerun, or a second process reuses it.
    let record = await this.deps.ledger.get(spec.name);
    if (!record || await launchEnded(gateway, record)) {
      record = { clientToken: this.deps.newId(), requestedAt: this.deps.clock.now(), instanceId: null };
      await this.deps.ledger.put(spec.name, record);
    }
    this.setOperation(spec, 'launching', { id: 'requesting', label: `Requesting a ${spec.instanceType}${spec.spot ? ' spot' : ''} instance from ${image.imageId} (${image.source})` }, options);
    // The host key is made for this token: a retry sends the same user data, a new launch a new key.
    const hostKeyFor = (clientToken: string): Promise<SeededHostKey | null> =>
      spec.seedHostKey !== false && this.deps.hostKeys ? this.deps.hostKeys.forLaunch(spec.name, clientToken) : Promise.resolve(null);
    let hostKey = await hostKeyFor(record.clientToken);
    const request = {
      workstation: spec.name,
      imageId: image.imageId,
      rootDeviceName: image.rootDeviceName,
      instanceType: spec.instanceType,
      keyName: resourceName(spec.name),
      securityGroupId: group.groupId,
      diskGiB: spec.diskGiB,
      spot: spec.spot,
    };
    const userData = (key: SeededHostKey | null): string | null => this.deps.userDataFor?.(spec, { hostKey: key }) ?? null;
    const onZoneTried = (zone: string, outcome: string): void =>
      options.onStep?.({ id: 'capacity', label: `${spec.instanceType}: ${outcome} in ${zone}; trying the next availability zone` });
    // Another process may have taken the lock over (this one could not refresh it): it must not launch too.
    lockLost.throwIfAborted();
    let instance = await gateway.runInstance({ ...request, clientToken: record.clientToken, userData: userData(hostKey) }, onZoneTried);
    if (instance.state === 'terminated' || instance.state === 'shutting-down') {
      // The token belonged to a run that has since ended: EC2 answers with that old instance.
      record = { clientToken: this.deps.newId(), requestedAt: this.deps.clock.now(), instanceId: null };
      await this.deps.ledger.put(spec.name, record);
      hostKey = await hostKeyFor(record.clientToken);
      lockLost.throwIfAborted();
      instance = await gateway.runInstance({ ...request, clientToken: record.clientToken, userData: userData(hostKey) }, onZoneTried);
    }
    this.launchedHere.set(spec.name, { instanceId: instance.instanceId, clientToken: record.clientToken, onStep: options.onStep });
    this.lastKnown.set(spec.name, instance);
    await this.deps.ledger.put(spec.name, { ...record, instanceId: instance.instanceId });
    this.described.delete(spec.name);
    this.launches.set(spec.name, { instanceId: instance.instanceId, fromSavedImage: image.source === 'saved' });
    // Launched from its archive image: the workstation is no longer archived.
    if (spec.archive?.imageId === image.imageId) recordArchive(this.deps.settings, spec.name, null, image.imageId);
    // Pinned before any probe: the first connection already checks the key. Without a seeded key
    // (an image without cloud-init) the old pin goes and the first connection takes the key, unverified.
    if (hostKey) await this.deps.keys.pinHostKeys(spec.name, seededPin(instance.instanceId, hostKey));
    else await this.deps.keys.forgetHostKeys(spec.name);
    this.setOperation(spec, 'pending', { id: 'pending', label: `Launched ${instance.instanceId}${hostKey ? '; its ssh host key is pinned' : ''}`, instanceId: instance.instanceId }, options);
  }

  /**
   * Stops the instance and returns once it is stopped. A failure says whether the instance is
   * still billed; a wait that sees it terminated by someone else ends at once saying so.
   */
  async stop(name: string | undefined, options: OperationOptions & { timeoutMs?: number } = {}): Promise<Snapshot> {
    const spec = this.spec(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    const deadline = this.deps.clock.now() + (options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS);
    try {
      const instance = keeperOf(await gateway.findWorkstationInstances(spec.name));
      if (!instance) {
        throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}.`, { action: 'nothing-to-stop', name: spec.name });
      }
      this.lastKnown.set(spec.name, instance);
      if (instance.state === 'pending') {
        options.onStep?.({ id: 'pending', label: `Waiting for ${instance.instanceId} to finish starting` });
        await this.waitFor(spec, (s) => s.instance?.state !== 'pending', 'the instance to start', deadline, options, untilStopped(instance.instanceId));
      }
      if (instance.state !== 'stopped') {
        options.onStep?.({ id: 'stopping', label: `Stopping ${instance.instanceId}` });
        await gateway.stopInstance(instance.instanceId);
        this.described.delete(spec.name);
      }
      return await this.waitFor(spec, (s) => s.instance?.state === 'stopped', 'the instance to stop', deadline, options, untilStopped(instance.instanceId));
    } catch (error) {
      if (error instanceof CloudRigError && (error.code === 'NoInstance' || error.code === 'InstanceInterrupted')) throw error;
      throw await this.failureSayingWhatIsBilled(spec, error);
    }
  }

  /**
   * Terminates the instance. With `saveImage`, first creates an image and waits until it is
   * available, so nothing installed is lost.
   */
  async down(name: string | undefined, options: DownOptions = {}): Promise<{ snapshot: Snapshot; imageId: string | null }> {
    const spec = this.spec(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    const deadline = this.deps.clock.now() + (options.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS);
    const instances = await gateway.findWorkstationInstances(spec.name).catch(async (error: unknown) => {
      throw await this.failureSayingWhatIsBilled(spec, error);
    });
    const instance = keeperOf(instances);
    if (!instance) {
      await this.deps.ledger.clear(spec.name);
      throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}.`, 'There is nothing to terminate.');
    }
    this.lastKnown.set(spec.name, instance);
    let imageId: string | null = null;
    /** Set once the image (if any) is available and termination starts: the image is then safe. */
    let terminating: string | null | undefined;
    try {
      if (options.saveImage && isLive(instance)) imageId = await this.saveImage(spec, gateway, instance, deadline, options);
      if (imageId !== null) await options.beforeTerminate?.(imageId, instance);
      // Every instance of the workstation, duplicates included: none may keep billing unseen.
      terminating = imageId;
      for (const each of instances.filter(isLive)) {
        this.setOperation(spec, 'terminating', { id: 'terminating', label: `Terminating ${each.instanceId}`, instanceId: each.instanceId }, options);
        await gateway.terminateInstance(each.instanceId);
      }
      // EC2 accepted every terminate: from here nothing is billed by the hour (an interrupt says so).
      options.onStep?.({ id: 'terminate-sent', label: `Waiting for ${instance.instanceId} to terminate`, instanceId: instance.instanceId });
      this.described.delete(spec.name);
      await this.deps.ledger.clear(spec.name);
      // The instance's host key dies with it: the next launch pins its own.
      await this.deps.keys.forgetHostKeys(spec.name);
    } catch (error) {
      throw await this.failureSayingWhatIsBilled(spec, error, terminating ? `Image ${terminating} was saved and is kept; the instance was not terminated.` : '');
    } finally {
      this.operations.delete(spec.name);
    }
    const snapshot = await this.waitFor(spec, (s) => s.instance === null, 'the instance to terminate', deadline, options);
    return { snapshot, imageId };
  }

  /**
   * Saves an image of the instance and waits until it is available. A rerun (after a crash or a
   * timeout) finds the image already saved from this instance by its source tag and waits for that
   * one instead of making a second; its snapshots are tagged once it is available.
   */
  private async saveImage(spec: WorkstationSpec, gateway: CloudGateway, instance: InstanceFacts, deadline: number, options: OperationOptions): Promise<string> {
    const existing = await gateway.findImageFrom(spec.name, instance.instanceId);
    let imageId: string;
    if (existing) {
      imageId = existing.imageId;
      this.setOperation(spec, 'imaging', { id: 'imaging', label: `Reusing image ${imageId} (${existing.state}) already saved from ${instance.instanceId}`, instanceId: instance.instanceId, imageId }, options);
    } else {
      // One name per instance: EC2 refuses a second image of a name, so a retried or rerun CreateImage
      // (it takes no idempotency token) can never leave two images of one instance.
      const imageName = `${resourceName(spec.name)}-${instance.instanceId}`;
      this.setOperation(spec, 'imaging', { id: 'imaging', label: `Saving image ${imageName}`, instanceId: instance.instanceId }, options);
      imageId = await gateway.createImage(instance.instanceId, imageName, spec.name);
    }
    this.setOperation(spec, 'imaging', { id: 'imaging-wait', label: `Waiting for ${imageId} to be available`, instanceId: instance.instanceId, imageId }, options);
    try {
      await this.waitForImage(gateway, spec.name, imageId, deadline, options);
      await gateway.tagImageSnapshots(imageId, spec.name);
    } catch (error) {
      const info = toErrorInfo(error);
      throw new CloudRigError(info.code, `Image ${imageId} was requested but is not confirmed available, so ${instance.instanceId} was not terminated: ${info.message}`,
        thenFix(info.fix, { action: 'review-image', name: spec.name, imageId }));
    }
    return imageId;
  }

  /**
   * Polls the image until it is available. Not the SDK's waitUntilImageAvailable: that waiter
   * retries on every error DescribeImages raises (access denied, a dead endpoint, a 400) until its
   * maximum wait, here up to an hour; this loop fails at once with the mapped error instead.
   */
  private async waitForImage(gateway: CloudGateway, name: string, imageId: string, deadline: number, options: OperationOptions): Promise<void> {
    let delay: number = POLL.fast;
    for (;;) {
      const image = await gateway.describeImage(imageId);
      if (image?.state === 'available') return;
      if (image && (image.state === 'failed' || image.state === 'invalid' || image.state === 'error')) {
        throw new CloudRigError('ImageFailed', `Image ${imageId} ended ${image.state}; the instance was not terminated.`, { action: 'retry-image', name });
      }
      if (this.deps.clock.now() >= deadline) {
        throw new CloudRigError('Timeout', `Image ${imageId} is not available yet; the instance was not terminated.`, { action: 'wait-for-image', name });
      }
      await this.deps.clock.sleep(delay, options.signal);
      delay = Math.min(delay * 2, POLL.slowest);
    }
  }

  /** Reads the remembered setup failure of a workstation (another process may have written it); a damaged or unreadable record reads as none. */
  private async readSetupFailure(name: string): Promise<void> {
    const record = await this.deps.setupFailures?.get(name).catch(() => null);
    if (record) this.setupFailures.set(name, record);
    else if (this.deps.setupFailures) this.setupFailures.delete(name);
  }

  /**
   * Remembers how the setup script ended on `instanceId`: a failure (shown on every status until a
   * fresh instance runs), or null for a success (forgotten). Both faces call it when a follow ends.
   */
  async noteSetupOutcome(name: string, instanceId: string, failure: ErrorInfo | null): Promise<void> {
    const spec = this.spec(name);
    const record = failure ? { instanceId, failure } : null;
    if (record) this.setupFailures.set(spec.name, record);
    else if (this.setupFailures.get(spec.name)?.instanceId === instanceId) this.setupFailures.delete(spec.name);
    await this.deps.setupFailures?.put(spec.name, record);
    const last = this.snapshots.get(spec.name);
    if (last) this.publish(spec, last.instance, last.error);
  }

  /** The last instance this process launched for the workstation, and whether it came from a saved image; null when it launched none. */
  lastLaunch(name: string): { readonly instanceId: string; readonly fromSavedImage: boolean } | null {
    return this.launches.get(name) ?? null;
  }

  /** Images saved from this workstation, newest first. */
  async images(name?: string): Promise<SavedImage[]> {
    const spec = this.spec(name);
    return this.deps.cloud.gateway(spec.region).listImages(spec.name);
  }

  /** Deregisters one of this workstation's images and deletes its snapshots. */
  async removeImage(name: string | undefined, imageId: string): Promise<void> {
    const spec = this.spec(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    const mine = await gateway.listImages(spec.name);
    if (!mine.some((image) => image.imageId === imageId)) {
      throw new CloudRigError('NotOurImage', `${imageId} is not an image of workstation ${spec.name}.`, { action: 'list-images', name: spec.name });
    }
    await gateway.deleteImage(imageId);
  }

  /**
   * Forgets a workstation on this machine: its private key, host-key pins, launch record, setup
   * failure and early-probe record, then its settings (spec, last use, push folder, tunnels). Each
   * step passes over what is already gone, and the settings go last: a removal that was interrupted
   * is finished by running it again. The caller has dealt with what AWS holds.
   */
  async forget(name: string): Promise<void> {
    await this.deps.keys.remove(resourceName(name));
    await this.deps.keys.forgetHostKeys(name);
    await this.deps.ledger.clear(name);
    await this.deps.setupFailures?.put(name, null);
    await this.deps.acceptedRuns?.forget(name);
    this.deps.settings.update((settings) => {
      const workstations = without(settings.workstations, name);
      return {
        ...settings,
        current: settings.current === name ? Object.keys(workstations)[0] ?? null : settings.current,
        workstations,
        lastUsed: without(settings.lastUsed, name),
        projectFolders: without(settings.projectFolders, name),
        reopenTunnels: without(settings.reopenTunnels, name),
      };
    });
    for (const map of [this.snapshots, this.readiness, this.sshFindings, this.operations, this.transitionStarted, this.lastProbeFailure, this.described, this.duplicates,
      this.launchedHere, this.lastKnown, this.answeredAt, this.launches, this.setupFailures]) map.delete(name);
  }

  /** Every pending, running or stopped instance in every enabled region. */
  scan(): Promise<ScannedInstance[]> {
    return this.deps.cloud.scan();
  }

  /** The ssh target of the workstation's current instance. */
  async sshTarget(name?: string): Promise<SshTarget> {
    const snapshot = await this.refresh(name);
    const spec = this.spec(snapshot.name);
    const target = snapshot.instance?.state === 'running' ? this.target(spec, snapshot.instance) : null;
    const problem = this.sshFinding(spec.name, snapshot.instance)?.problem;
    if (problem) throw new CloudRigError(problem.code, problem.message, problem.fix);
    // Throws a clear error for a value ssh could not be given safely (checked again at the edge).
    if (target) sshCommandLine(target);
    const probe = this.lastProbeFailure.get(spec.name);
    if (target && snapshot.phase !== 'ready' && probe) {
      // ssh would fail the same way, in its own words: say it in one line instead.
      throw new CloudRigError('SshNotAnswering', `Workstation ${spec.name} runs, but ssh to ${probe.target} does not answer: ${probe.reason}.`,
        { action: 'check-ssh-access', name: spec.name, sshUser: spec.sshUser, waiting: false });
    }
    if (!target) {
      throw new CloudRigError('NotRunning', `Workstation ${spec.name} is ${snapshot.instance?.state ?? 'absent'}, so there is nothing to ssh into.`, { action: 'start', name: spec.name });
    }
    return target;
  }
}

/** The command shown to the user (`ssh <name>` once the include is installed), or null when a value cannot be shown safely. */
function displayedCommandOrNull(name: string, target: SshTarget, includeInstalled: boolean): string | null {
  try {
    return displayedSshCommand(name, target, includeInstalled);
  } catch (error) {
    if (error instanceof CloudRigError) return null;
    throw error;
  }
}

/** The error of a launch whose RunInstances was sent but never answered (timeout, dropped connection). */
function unansweredLaunch(spec: WorkstationSpec, error: CloudRigError): CloudRigError {
  return new CloudRigError(error.code,
    `${error.message} The launch request for workstation ${spec.name} was sent but not answered, so it may have started an instance in ${spec.region}; if so it is billed ${rateWords(spec.region, spec.instanceType, spec.spot)}.`,
    thenFix(error.fix, { action: 'find-launch', name: spec.name }));
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

/** Whether an instance's ClientToken is this launch's (or its per-subnet form, which keeps the first 36 characters). */
function sameLaunch(instanceToken: string | undefined, launchToken: string): boolean {
  return instanceToken !== undefined && instanceToken.slice(0, 36) === launchToken.slice(0, 36);
}

/** Two snapshots show the same thing (ignoring when they were taken). */
function sameView(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify({ ...a, observedAt: 0 }) === JSON.stringify({ ...b, observedAt: 0 });
}
