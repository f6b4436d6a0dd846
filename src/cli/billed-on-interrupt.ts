import { rateWords } from '../core/app/face.js';
import type { InstanceStateName, Snapshot, Step } from '../shared/workstation.js';

/** States in which an instance is billed by the hour for compute. */
const BILLED: ReadonlySet<InstanceStateName> = new Set(['pending', 'running']);

/** The commands whose interrupt can leave an instance billed: what each one was doing to it. */
export type BilledCommand = 'up' | 'down' | 'archive';

/**
 * What a command has left billed, fed by the operation's own progress (its steps and the
 * workstation's snapshots), so that a Ctrl-C at any moment can say it in one line: the instance,
 * its rate and the command that ends it. It knows only what the command saw; `lookup` asks AWS
 * once when a launch was sent but its answer (the instance id) never came.
 */
export class BilledOnInterrupt {
  private workstation: string | null = null;
  private region: string | null = null;
  private instanceType: string | null = null;
  private spot = false;
  private instanceId: string | null = null;
  private state: InstanceStateName | null = null;
  /** RunInstances (or StartInstances) was about to be sent: an instance may run even before its id is known. */
  private requested = false;
  private imageId: string | null = null;
  /** The image was asked for (CreateImage sent) but its id is not known yet. */
  private imageRequested = false;
  /** A terminate was about to be sent; `terminated` once EC2 accepted it. */
  private terminateSent = false;
  private terminated = false;
  private followingSetup = false;

  constructor(private readonly command: BilledCommand, private readonly spotOfSpec: (name: string) => boolean = () => false) {}

  /** Each snapshot of the workstation the command works on. */
  readonly snapshot = (snapshot: Snapshot): void => {
    if (this.workstation !== null && snapshot.name !== this.workstation) return;
    this.workstation = snapshot.name;
    this.region = snapshot.region;
    this.instanceType = snapshot.instanceType;
    if (snapshot.instance) {
      this.instanceId = snapshot.instance.instanceId;
      this.state = snapshot.instance.state;
      this.spot = snapshot.instance.spot;
    } else if (this.instanceId === null) {
      this.spot = this.spotOfSpec(snapshot.name);
    }
  };

  /**
   * What the command found before it changed anything (an archive's plan): the instance and its
   * state as AWS described it, until a snapshot says more.
   */
  found(found: { readonly name: string; readonly region: string; readonly instanceType: string; readonly spot: boolean; readonly instanceId: string | null; readonly state: InstanceStateName | null }): void {
    this.workstation = found.name;
    this.region = found.region;
    this.instanceType = found.instanceType;
    this.spot = found.spot;
    this.instanceId = found.instanceId;
    this.state = found.state;
  }

  /** Each step the operation starts. */
  readonly step = (step: Step): void => {
    if (step.id === 'requesting' || step.id === 'starting') this.requested = true;
    if (step.instanceId) {
      this.instanceId = step.instanceId;
      // A launch answered or a start sent: it runs (or is about to) whatever the last describe said.
      if (step.id === 'pending' || step.id === 'starting') this.state = 'pending';
    }
    if (step.id === 'imaging') this.imageRequested = true;
    if (step.imageId) this.imageId = step.imageId;
    if (step.id === 'terminating') this.terminateSent = true;
    if (step.id === 'terminate-sent') this.terminated = true;
  };

  /** `rig up` now follows the setup script on the running instance. */
  following(): void {
    this.followingSetup = true;
  }

  /** Whether a launch was sent whose instance this process never learned (the line then asks AWS first). */
  needsLookup(): boolean {
    return this.command === 'up' && this.requested && this.instanceId === null && this.workstation !== null;
  }

  /** The workstation the command works on, once a snapshot named it. */
  name(): string | null {
    return this.workstation;
  }

  /** The one line for stderr after an interrupt; null when the command left nothing billed. */
  line(): string | null {
    const name = this.workstation;
    if (name === null || this.region === null || this.instanceType === null) return null;
    const rate = rateWords(this.region, this.instanceType, this.spot);
    const what = (id: string) => `${id} (workstation ${name}, ${this.instanceType} in ${this.region})`;
    if (this.command === 'down') return this.downLine(name, rate, what);
    if (this.command === 'archive') return this.archiveLine(name, rate, what);
    if (this.instanceId !== null && this.state !== null && BILLED.has(this.state)) {
      const setup = this.followingSetup ? ' Its setup script keeps running on it (`rig up ' + name + '` follows it again).' : '';
      return `Interrupted: ${what(this.instanceId)} is ${this.state} and billed ${rate}.${setup} Stop it with \`rig stop ${name}\` (keeps the disk) or end it with \`rig down ${name}\`.`;
    }
    if (this.instanceId === null && this.requested) {
      return `Interrupted: the launch of workstation ${name} (${this.instanceType} in ${this.region}) was sent and may have started an instance, billed ${rate} while it runs. See it with \`rig status ${name}\`; end it with \`rig down ${name}\`.`;
    }
    return null;
  }

  private downLine(name: string, rate: string, what: (id: string) => string): string | null {
    if (this.instanceId === null) return null;
    // The terminate starts only once the image is available: from then on it is saved.
    const image = this.imageId !== null && this.terminateSent ? ` Image ${this.imageId} is saved.`
      : this.imageId !== null ? ` Image ${this.imageId} was requested and is kept (\`rig images ${name}\` shows whether it is available).`
      : this.imageRequested ? ' An image was requested; its id had not come back (`rig images ' + name + '` lists it).'
        : '';
    if (this.terminated) return `Interrupted after the terminate: ${what(this.instanceId)} is terminating and no longer billed by the hour.${image}`;
    if (this.terminateSent) {
      return `Interrupted while the terminate was sent: ${what(this.instanceId)} may still be running, billed ${rate}.${image} Make sure it ends: \`rig down ${name}\`.`;
    }
    if (this.state !== null && !BILLED.has(this.state)) return null;
    const again = this.imageId !== null || this.imageRequested ? `\`rig down ${name} --save-image\` (reuses that image) or \`rig down ${name}\`` : `\`rig down ${name}\``;
    return `Interrupted before the terminate: ${what(this.instanceId)} was not terminated and is still ${this.state ?? 'running'}, billed ${rate}.${image} End it with ${again}.`;
  }

  /**
   * An archive stops the instance, saves the image, then terminates: before the terminate the
   * disk is still billed (and the compute, while the instance still runs); running the command again
   * reuses the image and finishes.
   */
  private archiveLine(name: string, rate: string, what: (id: string) => string): string | null {
    if (this.instanceId === null) return null;
    if (this.terminated) {
      const image = this.imageId !== null ? ` as image ${this.imageId}` : '';
      return `Interrupted after the terminate: ${what(this.instanceId)} is terminating and no longer billed; its disk is kept${image}, and \`rig up ${name}\` launches from it.`;
    }
    const again = this.imageId !== null ? `Image ${this.imageId} was requested and is kept: \`rig archive ${name}\` reuses it and finishes.`
      : this.imageRequested ? `An image was requested (its id had not come back): \`rig archive ${name}\` finds it and finishes.`
        : `Finish with \`rig archive ${name}\`.`;
    if (this.terminateSent) return `Interrupted while the terminate was sent: ${what(this.instanceId)} may still exist, its disk billed until it ends. ${again}`;
    if (this.state !== null && BILLED.has(this.state)) {
      return `Interrupted: ${what(this.instanceId)} is ${this.state} and billed ${rate}. ${again} Or stop it with \`rig stop ${name}\`.`;
    }
    const state = this.state ?? 'not terminated';
    return `Interrupted before the terminate: ${what(this.instanceId)} is ${state}, its disk billed until the archive ends. ${again}`;
  }
}
