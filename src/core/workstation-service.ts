import type {
  InstanceFacts,
  Phase,
  SavedImage,
  ScannedInstance,
  Snapshot,
  Step,
  WorkstationSpec,
} from '../shared/workstation.js';
import { CloudRigError, toErrorInfo } from './errors.js';
import { Emitter } from './emitter.js';
import { isTransitional, phaseOfInstance } from './phase.js';
import { describeIntervalWhileProbing, nextPollDelay, POLL } from './poll-policy.js';
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
  SshClient,
  SshTarget,
} from './ports.js';
import { sshCommandLine, sshTargetOf } from './ssh-command.js';
import { validateCidr, validateDisk } from './validate.js';

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
  /** User data for a launch (the idle watchdog); null for none. */
  readonly userDataFor?: (spec: WorkstationSpec) => string | null;
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
}

/** What `init` did. */
export interface InitResult {
  readonly spec: WorkstationSpec;
  readonly created: readonly string[];
  readonly keyPath: string;
}

const DEFAULT_UP_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_IMAGE_TIMEOUT_MS = 60 * 60_000;
const SSH_PROBE_TIMEOUT_MS = 3_000;
/** After this long running without an ssh answer, the snapshot says why and what to check. */
const SSH_HINT_AFTER_MS = 2 * 60_000;

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
  /** When EC2 was last asked about each workstation, and what it said. */
  private readonly described = new Map<string, { at: number; instance: InstanceFacts | null }>();

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
          ? new CloudRigError('NoWorkstation', 'No workstation is set up yet.', 'Run `rig init --region us-east-1 --type g4dn.xlarge` first.')
          : new CloudRigError('WhichWorkstation', `There are ${names.length} workstations: ${names.join(', ')}.`, 'Name the one you mean, e.g. `rig up ' + names[0] + '`.');
      }
      name = only;
    }
    const spec = workstations[name];
    if (!spec) {
      throw new CloudRigError('UnknownWorkstation', `There is no workstation named "${name}".`,
        names.length ? `Use one of: ${names.join(', ')}; or create it with \`rig init --name ${name} …\`.` : `Create it with \`rig init --name ${name} --region us-east-1 --type g4dn.xlarge\`.`);
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
  async init(input: Omit<WorkstationSpec, 'ingressCidr'> & { ingressCidr: string }, options: OperationOptions = {}): Promise<InitResult> {
    const auto = input.ingressCidr === 'auto';
    const cidr = auto ? await this.publicCidr() : validateCidr(input.ingressCidr, '--cidr', { allowAnywhere: input.ingressAnywhere === true });
    const spec: WorkstationSpec = { ...input, ingressCidr: cidr, ingressAuto: auto };
    const gateway = this.deps.cloud.gateway(spec.region);
    const created: string[] = [];
    options.onStep?.({ id: 'key-pair', label: `Key pair ${resourceName(spec.name)}` });
    if (await this.ensureKeyPair(gateway, spec.name)) created.push('key-pair');
    options.onStep?.({ id: 'security-group', label: `Security group ${resourceName(spec.name)} admitting ${cidr} on tcp/22` });
    const group = await gateway.ensureSecurityGroup(spec.name, cidr, 22);
    if (group.created) created.push('security-group');
    this.deps.settings.saveWorkstation(spec);
    return { spec, created, keyPath: this.deps.keys.pathOf(resourceName(spec.name)) };
  }

  private async publicCidr(): Promise<string> {
    let ip: string;
    try {
      ip = (await this.deps.publicIp.lookup()).trim();
    } catch (error) {
      throw new CloudRigError('PublicIpLookupFailed',
        `Could not find your public IP address (${error instanceof Error ? error.message : String(error)}).`,
        'Pass --cidr with your address, e.g. --cidr 203.0.113.7/32, or set CLOUDRIG_MYIP_URL to a service that answers with it.');
    }
    return validateCidr(ip, '--cidr');
  }

  /** Creates the key pair once; reuses it; imports a local key AWS lost. Returns whether it created one. */
  private async ensureKeyPair(gateway: CloudGateway, workstation: string): Promise<boolean> {
    const keyName = resourceName(workstation);
    const local = await this.deps.keys.read(keyName);
    const remote = await gateway.keyPairExists(keyName);
    if (remote && local) return false;
    if (remote && !local) {
      throw new CloudRigError('KeyPairWithoutPrivateKey',
        `AWS has the key pair ${keyName} in ${gateway.region}, but its private key is not at ${this.deps.keys.pathOf(keyName)}.`,
        `Restore the key file there, or delete the key pair so CloudRig makes a new one: aws ec2 delete-key-pair --key-name ${keyName} --region ${gateway.region}, then run rig init again.`);
    }
    if (local) {
      await gateway.importKeyPair(keyName, await this.deps.keys.publicKeyOf(local), workstation);
      return true;
    }
    const { privateKeyPem } = await gateway.createKeyPair(keyName, workstation);
    try {
      await this.deps.keys.write(keyName, privateKeyPem);
    } catch (error) {
      // A key pair whose private key was never saved is useless: take it back.
      await gateway.deleteKeyPair(keyName).catch(() => undefined);
      throw error;
    }
    return true;
  }

  /**
   * Asks AWS for the workstation's state and returns the new snapshot. Probes ssh when running,
   * unless told not to (the caller then probes with `probeReady`, e.g. alongside other work).
   */
  async refresh(name?: string, options: { probeSsh?: boolean; force?: boolean } = {}): Promise<Snapshot> {
    const spec = this.spec(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    let instance: InstanceFacts | null;
    const now = this.deps.clock.now();
    const last = this.described.get(spec.name);
    const waitingForSsh = last?.instance?.state === 'running' && !this.isReady(spec.name, last.instance) && !this.operations.has(spec.name);
    if (!options.force && last && waitingForSsh && now - last.at < describeIntervalWhileProbing(this.transitionStarted.get(spec.name) ?? null, now)) {
      // Only ssh can change the picture now: probe it without asking EC2 again.
      instance = last.instance;
    } else {
      try {
        instance = await gateway.findWorkstationInstance(spec.name);
      } catch (error) {
        return this.publish(spec, this.snapshots.get(spec.name)?.instance ?? null, toErrorInfo(error));
      }
      this.described.set(spec.name, { at: now, instance });
    }
    if (options.probeSsh !== false && instance?.state === 'running' && !this.isReady(spec.name, instance)) {
      await this.probeOnce(spec, instance);
    }
    return this.publish(spec, instance, null);
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
    return `${instance.instanceId}@${instance.launchedAt ?? ''}`;
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
    const result = await this.deps.ssh.probe(target, SSH_PROBE_TIMEOUT_MS);
    if (result.ok) {
      this.readiness.set(spec.name, { key: this.readinessKey(instance), at: this.deps.clock.now() });
      this.lastProbeFailure.delete(spec.name);
    } else {
      this.lastProbeFailure.set(spec.name, { target: `${target.user}@${target.host}:${target.port}`, reason: result.reason });
    }
    return result.ok;
  }

  private publish(spec: WorkstationSpec, instance: InstanceFacts | null, error: Snapshot['error']): Snapshot {
    const ready = instance?.state === 'running' && this.isReady(spec.name, instance);
    const operation = this.operations.get(spec.name);
    const phase: Phase = operation?.phase ?? (error && !instance ? 'error' : phaseOfInstance(instance, ready));
    const now = this.deps.clock.now();
    const probe = this.lastProbeFailure.get(spec.name);
    const waitingSince = this.snapshots.get(spec.name)?.phase === 'running' ? this.transitionStarted.get(spec.name) : undefined;
    const sshHint: Step | null = phase === 'running' && probe && waitingSince !== undefined && now - waitingSince >= SSH_HINT_AFTER_MS
      ? { id: 'ssh-wait', label: `ssh to ${probe.target} does not answer yet (${probe.reason}). If this lasts, check that your IP is still admitted: rig init --cidr auto` }
      : null;
    const target = this.target(spec, instance);
    const snapshot: Snapshot = {
      name: spec.name,
      region: spec.region,
      instanceType: instance?.instanceType ?? spec.instanceType,
      phase,
      instance,
      sshCommand: target && instance && instance.state !== 'terminated' ? sshCommandLine(target) : null,
      error,
      step: operation?.step ?? sshHint,
      observedAt: now,
      readyAt: ready ? (this.readiness.get(spec.name)?.at ?? null) : null,
    };
    const previous = this.snapshots.get(spec.name);
    if (!previous || previous.phase !== snapshot.phase) {
      if (isTransitional(snapshot.phase)) this.transitionStarted.set(spec.name, snapshot.observedAt);
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

  /** Polls until `done(snapshot)` holds, or throws on timeout / abort. */
  private async waitFor(
    spec: WorkstationSpec,
    done: (snapshot: Snapshot) => boolean,
    what: string,
    deadline: number,
    options: OperationOptions,
  ): Promise<Snapshot> {
    for (;;) {
      const snapshot = await this.refresh(spec.name);
      if (done(snapshot)) return snapshot;
      if (snapshot.error && snapshot.error.code !== 'EndpointUnreachable') throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
      if (options.signal?.aborted) throw new CloudRigError('Aborted', `Stopped waiting for ${what}.`, 'Run the command again to keep waiting; nothing was undone.');
      const now = this.deps.clock.now();
      if (now >= deadline) {
        const probe = this.lastProbeFailure.get(spec.name);
        if (snapshot.phase === 'running' && probe) {
          throw new CloudRigError('SshTimeout', `The instance runs (and is billed), but ssh to ${probe.target} did not answer: ${probe.reason}.`,
            `Check that your address is still admitted (\`rig init --name ${spec.name} --cidr auto\` re-admits it) and that the image lets ${spec.sshUser} in with the workstation key; \`rig up\` keeps waiting, \`rig stop\` stops the billing.`);
        }
        throw new CloudRigError('Timeout', `Timed out waiting for ${what}.`,
          `The instance is left as it is (${snapshot.instance?.state ?? 'absent'}). Run the command again to keep waiting, or pass a longer --timeout.`);
      }
      const delay = Math.min(snapshot.phase === 'stopped' || snapshot.phase === 'absent' ? POLL.fast : this.nextDelay(snapshot), deadline - now);
      await this.deps.clock.sleep(Math.max(delay, 50), options.signal);
    }
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
      await this.deps.locks.withLock(spec.name, () => this.startOrLaunch(spec, gateway, deadline, options));
      this.setOperation(spec, null, { id: 'pending', label: 'Waiting for the instance to run' }, options);
      let snapshot = await this.waitFor(spec, (s) => s.instance?.state === 'running', 'the instance to run', deadline, options);
      if (options.waitSsh !== false) {
        options.onStep?.({ id: 'ssh', label: `Waiting for ssh on ${this.target(spec, snapshot.instance)?.host ?? 'the instance'}` });
        snapshot = await this.waitFor(spec, (s) => s.phase === 'ready', 'ssh to answer', deadline, options);
      }
      return snapshot;
    } catch (error) {
      this.operations.delete(spec.name);
      const info = toErrorInfo(error);
      this.publish(spec, this.snapshots.get(spec.name)?.instance ?? null, info);
      throw error instanceof CloudRigError ? error : new CloudRigError(info.code, info.message, info.fix);
    } finally {
      this.operations.delete(spec.name);
    }
  }

  /**
   * For a workstation whose CIDR follows the user's public IP, re-admits the current address
   * (the laptop may have moved since init). A failed lookup keeps the old rule.
   */
  private async refreshIngress(spec: WorkstationSpec, gateway: CloudGateway, options: OperationOptions): Promise<WorkstationSpec> {
    if (!spec.ingressAuto) return spec;
    let cidr: string;
    try {
      cidr = await this.publicCidr();
    } catch {
      options.onStep?.({ id: 'ingress', label: `Could not look up your public IP; ssh stays open to ${spec.ingressCidr} only` });
      return spec;
    }
    if (cidr === spec.ingressCidr) return spec;
    options.onStep?.({ id: 'ingress', label: `Your public IP changed: admitting ${cidr} instead of ${spec.ingressCidr}` });
    await gateway.ensureSecurityGroup(spec.name, cidr, 22);
    const next = { ...spec, ingressCidr: cidr };
    this.deps.settings.saveWorkstation(next);
    return next;
  }

  private async startOrLaunch(spec: WorkstationSpec, gateway: CloudGateway, deadline: number, options: OperationOptions): Promise<void> {
    spec = await this.refreshIngress(spec, gateway, options);
    let instance = await gateway.findWorkstationInstance(spec.name);
    if (instance?.state === 'stopping') {
      options.onStep?.({ id: 'stopping', label: `Waiting for ${instance.instanceId} to finish stopping` });
      instance = (await this.waitFor(spec, (s) => s.instance?.state !== 'stopping', 'the instance to stop', deadline, options)).instance;
    }
    if (instance?.state === 'shutting-down') {
      options.onStep?.({ id: 'terminating', label: `Waiting for ${instance.instanceId} to finish terminating` });
      await this.waitFor(spec, (s) => s.instance === null, 'the old instance to terminate', deadline, options);
      instance = null;
    }
    if (instance?.state === 'stopped') {
      this.setOperation(spec, 'pending', { id: 'starting', label: `Starting ${instance.instanceId}` }, options);
      await gateway.startInstance(instance.instanceId);
      this.described.delete(spec.name);
      return;
    }
    if (instance) {
      options.onStep?.({ id: 'found', label: `Found ${instance.instanceId} (${instance.state})` });
      return;
    }
    await this.launch(spec, gateway, options);
  }

  private async launch(spec: WorkstationSpec, gateway: CloudGateway, options: OperationOptions): Promise<void> {
    this.setOperation(spec, 'launching', { id: 'prepare', label: 'Checking key pair and security group' }, options);
    await this.ensureKeyPair(gateway, spec.name);
    const group = await gateway.ensureSecurityGroup(spec.name, spec.ingressCidr, 22);
    this.setOperation(spec, 'launching', { id: 'image', label: 'Finding the image' }, options);
    const image = await gateway.resolveImage(spec.image, spec.name, spec.preferSavedImage);
    validateDisk(spec.diskGiB, image.minDiskGiB);
    // The token is saved before the call: a retry, a crash and rerun, or a second process reuses it.
    let record = await this.deps.ledger.get(spec.name);
    if (!record) {
      record = { clientToken: this.deps.newId(), requestedAt: this.deps.clock.now(), instanceId: null };
      await this.deps.ledger.put(spec.name, record);
    }
    this.setOperation(spec, 'launching', { id: 'requesting', label: `Requesting a ${spec.instanceType}${spec.spot ? ' spot' : ''} instance from ${image.imageId} (${image.source})` }, options);
    const request = {
      workstation: spec.name,
      imageId: image.imageId,
      rootDeviceName: image.rootDeviceName,
      instanceType: spec.instanceType,
      keyName: resourceName(spec.name),
      securityGroupId: group.groupId,
      diskGiB: spec.diskGiB,
      spot: spec.spot,
      userData: this.deps.userDataFor?.(spec) ?? null,
    };
    let instance = await gateway.runInstance({ ...request, clientToken: record.clientToken });
    if (instance.state === 'terminated' || instance.state === 'shutting-down') {
      // The token belonged to a run that has since ended: EC2 answers with that old instance.
      record = { clientToken: this.deps.newId(), requestedAt: this.deps.clock.now(), instanceId: null };
      await this.deps.ledger.put(spec.name, record);
      instance = await gateway.runInstance({ ...request, clientToken: record.clientToken });
    }
    await this.deps.ledger.put(spec.name, { ...record, instanceId: instance.instanceId });
    this.described.delete(spec.name);
    await this.deps.keys.forgetHostKeys(spec.name);
    this.setOperation(spec, 'pending', { id: 'pending', label: `Launched ${instance.instanceId}` }, options);
  }

  /** Stops the instance and returns once it is stopped. */
  async stop(name: string | undefined, options: OperationOptions & { timeoutMs?: number } = {}): Promise<Snapshot> {
    const spec = this.spec(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    const deadline = this.deps.clock.now() + (options.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS);
    const instance = await gateway.findWorkstationInstance(spec.name);
    if (!instance) {
      throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}.`, 'Nothing is running, so nothing is billed by the hour. `rig up` launches one.');
    }
    if (instance.state === 'pending') {
      options.onStep?.({ id: 'pending', label: `Waiting for ${instance.instanceId} to finish starting` });
      await this.waitFor(spec, (s) => s.instance?.state !== 'pending', 'the instance to start', deadline, options);
    }
    if (instance.state !== 'stopped') {
      options.onStep?.({ id: 'stopping', label: `Stopping ${instance.instanceId}` });
      await gateway.stopInstance(instance.instanceId);
      this.described.delete(spec.name);
    }
    return this.waitFor(spec, (s) => s.instance?.state === 'stopped', 'the instance to stop', deadline, options);
  }

  /**
   * Terminates the instance. With `saveImage`, first creates an image and waits until it is
   * available, so nothing installed is lost.
   */
  async down(name: string | undefined, options: DownOptions = {}): Promise<{ snapshot: Snapshot; imageId: string | null }> {
    const spec = this.spec(name);
    const gateway = this.deps.cloud.gateway(spec.region);
    const deadline = this.deps.clock.now() + (options.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS);
    const instance = await gateway.findWorkstationInstance(spec.name);
    if (!instance) {
      await this.deps.ledger.clear(spec.name);
      throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}.`, 'There is nothing to terminate.');
    }
    let imageId: string | null = null;
    try {
      if (options.saveImage) {
        const imageName = `${resourceName(spec.name)}-${new Date(this.deps.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
        this.setOperation(spec, 'imaging', { id: 'imaging', label: `Saving image ${imageName}` }, options);
        imageId = await gateway.createImage(instance.instanceId, imageName, spec.name);
        this.setOperation(spec, 'imaging', { id: 'imaging-wait', label: `Waiting for ${imageId} to be available` }, options);
        await this.waitForImage(gateway, imageId, deadline, options).catch((error: unknown) => {
          const info = toErrorInfo(error);
          throw new CloudRigError(info.code, `Image ${imageId} was requested but is not confirmed available, so ${instance.instanceId} was not terminated: ${info.message}`,
            `${info.fix} See the image with \`rig images ${spec.name}\`; run \`rig down --save-image\` again, or delete it with \`rig images rm ${imageId}\`.`);
        });
      }
      this.setOperation(spec, 'terminating', { id: 'terminating', label: `Terminating ${instance.instanceId}` }, options);
      await gateway.terminateInstance(instance.instanceId);
      this.described.delete(spec.name);
      await this.deps.ledger.clear(spec.name);
    } finally {
      this.operations.delete(spec.name);
    }
    const snapshot = await this.waitFor(spec, (s) => s.instance === null, 'the instance to terminate', deadline, options);
    return { snapshot, imageId };
  }

  private async waitForImage(gateway: CloudGateway, imageId: string, deadline: number, options: OperationOptions): Promise<void> {
    let delay: number = POLL.fast;
    for (;;) {
      const image = await gateway.describeImage(imageId);
      if (image?.state === 'available') return;
      if (image && (image.state === 'failed' || image.state === 'invalid' || image.state === 'error')) {
        throw new CloudRigError('ImageFailed', `Image ${imageId} ended ${image.state}; the instance was not terminated.`, 'Try `rig down --save-image` again, or `rig down` to terminate without an image.');
      }
      if (this.deps.clock.now() >= deadline) {
        throw new CloudRigError('Timeout', `Image ${imageId} is not available yet; the instance was not terminated.`, 'Wait for the image (rig images), then run rig down again.');
      }
      await this.deps.clock.sleep(delay, options.signal);
      delay = Math.min(delay * 2, POLL.slowest);
    }
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
      throw new CloudRigError('NotOurImage', `${imageId} is not an image of workstation ${spec.name}.`, `List them with \`rig images ${spec.name}\`.`);
    }
    await gateway.deleteImage(imageId);
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
    if (!target) {
      throw new CloudRigError('NotRunning', `Workstation ${spec.name} is ${snapshot.instance?.state ?? 'absent'}, so there is nothing to ssh into.`, `Start it with \`rig up ${spec.name}\`.`);
    }
    return target;
  }
}

/** Two snapshots show the same thing (ignoring when they were taken). */
function sameView(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify({ ...a, observedAt: 0 }) === JSON.stringify({ ...b, observedAt: 0 });
}
