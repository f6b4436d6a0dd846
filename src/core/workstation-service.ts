import type { ErrorInfo, InstanceFacts, Phase, SavedImage, ScannedInstance, Snapshot, Step, WorkstationSpec } from '../shared/workstation.js';
import { duplicatesOf, isLive, keeperOf } from './duplicates.js';
import { failureSayingWhatIsBilled } from './billed-failure.js';
import { CloudRigError, toErrorInfo } from './errors.js';
import type { Fix } from '../shared/errors.js';
import { Emitter } from './emitter.js';
import { nextPollDelay } from './poll-policy.js';
import type { SshTarget } from './ports.js';
import { sshCommandLine } from './ssh-command.js';
import { displayedSshCommand } from './ssh-config.js';
import { validateCidr } from './validate.js';
import { followAddressDrift, publicCidrOf, type DriftReport } from './address-drift.js';
import { resolveDuplicates } from './duplicate-backoff.js';
import { ensureKeyPair } from './key-pair.js';
import { resourceName, type DownOptions, type Lifecycle, type OperationOptions, type UpOptions, type WorkstationServiceDeps } from './lifecycle-context.js';
import { probeOnce, sshTargetFor } from './readiness-probe.js';
import { Fleet } from './workstation.js';
import { bringUp } from './workstation-launch.js';
import { stopWorkstation, terminateWorkstation } from './workstation-teardown.js';

export { resourceName } from './lifecycle-context.js';
export type { DownOptions, OperationOptions, UpOptions, WorkstationServiceDeps } from './lifecycle-context.js';
export { untilRunning, untilStopped, type InterferenceWatch } from './instance-wait.js';

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

/** `record` without the entry for `key`. */
function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

/**
 * The workstation lifecycle over the ports: init, up, stop, down, images, status. Each workstation's
 * state lives in its own Workstation object (the fleet); every observation becomes a snapshot, fired
 * on `onDidChange` when it differs from the last one. Launching (workstation-launch.ts), taking down
 * (workstation-teardown.ts), waiting (instance-wait.ts) and probing ssh (readiness-probe.ts) act
 * through the narrow Lifecycle view of it.
 */
export class WorkstationService {
  private readonly changed = new Emitter<Snapshot>();
  private readonly fleet = new Fleet();
  private readonly lifecycle: Lifecycle;

  /** Fires with each new snapshot of any workstation. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: WorkstationServiceDeps) {
    this.lifecycle = {
      deps,
      fleet: this.fleet,
      spec: (name) => this.spec(name),
      refresh: (name) => this.refresh(name),
      publish: (spec, instance, error) => this.publish(spec, instance, error),
      setOperation: (spec, phase, step, options) => this.setOperation(spec, phase, step, options),
      nextDelay: (snapshot) => this.nextDelay(snapshot),
      target: (spec, instance) => sshTargetFor(deps, spec, instance),
      failureSayingWhatIsBilled: (spec, error, note) => this.failureSayingWhatIsBilled(spec, error, note),
    };
  }

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
    return this.fleet.find(name)?.snapshot;
  }

  /**
   * Saves the spec and makes sure the key pair and security group exist. Idempotent.
   * `ingressCidr` may be `auto`: the caller's public IP /32.
   */
  async init(input: Omit<WorkstationSpec, 'ingressCidr'> & { ingressCidr: string }, options: OperationOptions & { newKey?: boolean } = {}): Promise<InitResult> {
    // Refused before anything is asked or made: a setup script that fits nowhere fails here, not at `rig up`.
    this.deps.refuseSetupScriptThatCannotFit?.(input);
    const auto = input.ingressCidr === 'auto';
    const cidr = auto ? await publicCidrOf(this.deps.publicIp) : validateCidr(input.ingressCidr, 'ingressCidr', { allowAnywhere: input.ingressAnywhere === true });
    const spec: WorkstationSpec = { ...input, ingressCidr: cidr, ingressAuto: auto };
    const gateway = this.deps.cloud.gateway(spec.region);
    const created: string[] = [];
    const warnings: InitWarning[] = [];
    options.onStep?.({ id: 'key-pair', label: `Key pair ${resourceName(spec.name)}` });
    const key = await ensureKeyPair(this.deps.keys, gateway, spec.name, spec.instanceType, options.newKey === true);
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

  /**
   * Whether a refresh of `name` now would ask EC2. Not while only ssh can change the picture (the
   * instance runs, ssh has not answered, EC2 was asked within describeIntervalWhileProbing): then a
   * refresh only probes ssh, so a box whose ssh never answers costs few DescribeInstances.
   */
  needsDescribe(name: string, force = false): boolean {
    return this.fleet.of(name).needsDescribe(this.deps.clock.now(), force);
  }

  /**
   * Asks AWS for the workstation's state and returns the new snapshot. Probes ssh when running,
   * unless told not to (the caller then probes with `probeReady`, e.g. alongside other work).
   * `found` is what EC2 already said about the workstation's instances (the fleet watch's one call
   * per region); its rejection counts as AWS failing, like the workstation's own call would.
   * `describe`: false when the fleet watch decided (needsDescribe) that this refresh only probes ssh.
   */
  async refresh(name?: string, options: { probeSsh?: boolean; force?: boolean; found?: Promise<InstanceFacts[]>; describe?: boolean } = {}): Promise<Snapshot> {
    const spec = await this.specOrFound(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    const workstation = this.fleet.of(spec.name);
    let instance: InstanceFacts | null;
    const now = this.deps.clock.now();
    const last = workstation.described;
    if (last && (options.describe === false || (options.describe === undefined && !this.needsDescribe(spec.name, options.force)))) {
      // Only ssh can change the picture now: probe it without asking EC2 again.
      instance = last.instance;
    } else {
      try {
        // `found`: the fleet watch asked for every workstation of the region in one call.
        const instances = await resolveDuplicates(this.deps, workstation, spec, gateway, await (options.found ?? gateway.findWorkstationInstances(spec.name)));
        instance = keeperOf(instances);
        workstation.duplicates = duplicatesOf(instances);
      } catch (error) {
        // Offline (or AWS failing): keep showing the last known instance, never "absent" or "stopped".
        return this.publish(spec, workstation.snapshot?.instance ?? workstation.lastKnown ?? null, toErrorInfo(error));
      }
      workstation.noteDescribed(instance, now);
      await this.readSetupFailure(spec.name);
    }
    if (options.probeSsh !== false && instance?.state === 'running' && !workstation.isReady(instance)) {
      await probeOnce(this.deps, workstation, spec, instance);
    }
    return this.publish(spec, instance, null);
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
    const workstation = this.fleet.of(spec.name);
    const last = workstation.snapshot;
    const instance = last?.instance ?? null;
    if (instance?.state === 'running' && !workstation.isReady(instance)) await probeOnce(this.deps, workstation, spec, instance);
    return this.publish(spec, instance, last?.error ?? null);
  }

  private publish(spec: WorkstationSpec, instance: InstanceFacts | null, error: Snapshot['error']): Snapshot {
    const workstation = this.fleet.of(spec.name);
    const now = this.deps.clock.now();
    const target = sshTargetFor(this.deps, spec, instance);
    const sshCommand = target && instance && instance.state !== 'terminated' ? displayedCommandOrNull(spec.name, target, this.deps.settings.read().sshConfigInstalled) : null;
    const snapshot = workstation.snapshotOf(spec, instance, error, now, sshCommand);
    if (workstation.record(snapshot, now)) this.changed.fire(snapshot);
    return snapshot;
  }

  /** How long the watcher should wait before the next refresh of this workstation. */
  nextDelay(snapshot: Snapshot): number {
    return nextPollDelay(snapshot, this.fleet.find(snapshot.name)?.transitionStartedAt ?? null, this.deps.clock.now());
  }

  private setOperation(spec: WorkstationSpec, phase: Phase | null, step: Step | null, options: OperationOptions): void {
    const workstation = this.fleet.of(spec.name);
    workstation.operation = phase === null ? null : { phase, step };
    if (step) options.onStep?.(step);
    this.publish(spec, workstation.snapshot?.instance ?? null, null);
  }

  /**
   * The error of a failed operation on `spec`, naming the instance that is still billed (if any)
   * and how to stop it. For `up`, `down` and any operation that fails after money started flowing.
   */
  async failureSayingWhatIsBilled(spec: WorkstationSpec, error: unknown, note = ''): Promise<CloudRigError> {
    return failureSayingWhatIsBilled(this.deps.ledger, spec, this.fleet.find(spec.name)?.lastKnown ?? null, error, note);
  }

  /**
   * Starts the stopped instance, or launches one when there is none; waits until it runs and
   * (unless told not to) until ssh answers. Never launches a second instance.
   */
  async up(name: string | undefined, options: UpOptions = {}): Promise<Snapshot> {
    return bringUp(this.lifecycle, this.spec(name), options);
  }

  /**
   * For a workstation whose CIDR follows the user's public IP, re-admits the current address (the
   * laptop may have moved) and revokes CloudRig's rule for the old one; rules the user added stay.
   * `rig up`, `rig ssh` and the app (on a network change) call it. A failed lookup keeps the old rule.
   */
  async followAddressDrift(name?: string): Promise<DriftReport> {
    return followAddressDrift(this.deps, this.spec(name));
  }

  /**
   * Stops the instance and returns once it is stopped. A failure says whether the instance is
   * still billed; a wait that sees it terminated by someone else ends at once saying so.
   */
  async stop(name: string | undefined, options: OperationOptions & { timeoutMs?: number } = {}): Promise<Snapshot> {
    return stopWorkstation(this.lifecycle, this.spec(name), options);
  }

  /**
   * Terminates the instance. With `saveImage`, first creates an image and waits until it is
   * available, so nothing installed is lost.
   */
  async down(name: string | undefined, options: DownOptions = {}): Promise<{ snapshot: Snapshot; imageId: string | null }> {
    return terminateWorkstation(this.lifecycle, this.spec(name), options);
  }

  /** Reads the remembered setup failure of a workstation (another process may have written it); a damaged or unreadable record reads as none. */
  private async readSetupFailure(name: string): Promise<void> {
    const record = await this.deps.setupFailures?.get(name).catch(() => null);
    if (record) this.fleet.of(name).setupFailure = record;
    else if (this.deps.setupFailures) this.fleet.of(name).setupFailure = null;
  }

  /**
   * Remembers how the setup script ended on `instanceId`: a failure (shown on every status until a
   * fresh instance runs), or null for a success (forgotten). Both faces call it when a follow ends.
   */
  async noteSetupOutcome(name: string, instanceId: string, failure: ErrorInfo | null): Promise<void> {
    const spec = this.spec(name);
    this.fleet.of(spec.name).noteSetupOutcome(instanceId, failure);
    await this.deps.setupFailures?.put(spec.name, failure ? { instanceId, failure } : null);
    const last = this.fleet.of(spec.name).snapshot;
    if (last) this.publish(spec, last.instance, last.error);
  }

  /** The last instance this process launched for the workstation, and whether it came from a saved image; null when it launched none. */
  lastLaunch(name: string): { readonly instanceId: string; readonly fromSavedImage: boolean } | null {
    return this.fleet.find(name)?.lastLaunch ?? null;
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
    this.fleet.forget(name);
  }

  /** Every pending, running or stopped instance in every enabled region. */
  scan(): Promise<ScannedInstance[]> {
    return this.deps.cloud.scan();
  }

  /** The ssh target of the workstation's current instance. */
  async sshTarget(name?: string): Promise<SshTarget> {
    const snapshot = await this.refresh(name);
    const spec = this.spec(snapshot.name);
    const workstation = this.fleet.of(spec.name);
    const target = snapshot.instance?.state === 'running' ? sshTargetFor(this.deps, spec, snapshot.instance) : null;
    const problem = workstation.findingFor(snapshot.instance)?.problem;
    if (problem) throw new CloudRigError(problem.code, problem.message, problem.fix);
    // Throws a clear error for a value ssh could not be given safely (checked again at the edge).
    if (target) sshCommandLine(target);
    const probe = workstation.probeFailure;
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
