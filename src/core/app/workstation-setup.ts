import type { WorkstationForm } from '../../shared/views.js';
import { DEFAULT_AMI_PARAMETER, WorkstationSpecSchema, type ImageSource, type WorkstationSpec } from '../../shared/workstation.js';
import { ARCHIVE_AFTER_DAYS, IDLE_MINUTES } from '../../shared/limits.js';
import { CloudRigError } from '../errors.js';
import type { Step } from '../../shared/workstation.js';
import {
  validateAmiId,
  validateCidr,
  validateInstanceType,
  validateInteger,
  validateName,
  validateParameterPath,
  validateRegion,
  validateSetupScript,
  validateSshHost,
  validateSshUser,
} from '../validate.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** The spec `WorkstationService.init` takes: `ingressCidr` may still be `auto`. */
export type SpecInput = Omit<WorkstationSpec, 'ingressCidr'> & { ingressCidr: string };

/**
 * What the user asked for, from `rig init`'s flags or the setup form: a field left out keeps the
 * saved spec's value (or the default for a new workstation).
 */
export interface SpecRequest {
  readonly name: string;
  readonly region?: string;
  readonly instanceType?: string;
  readonly image?: ImageSource;
  readonly diskGiB?: number;
  readonly spot?: boolean;
  readonly sshUser?: string;
  /** null (or '') clears an override. */
  readonly sshHost?: string | null;
  readonly sshPort?: number;
  /** A CIDR or `auto` (the caller's public IP /32). */
  readonly ingressCidr?: string;
  /** Confirms a CIDR that admits every address. */
  readonly ingressAnywhere?: boolean;
  readonly autoStopEnabled?: boolean;
  readonly autoStopMinutes?: number;
  /** The first-boot setup script's text; null removes it. */
  readonly setupScript?: string | null;
  /** Days stopped before the reminder offers Archive. */
  readonly archiveAfterDays?: number;
  /** Archive by itself after that many days stopped (a notice the day before). */
  readonly autoArchive?: boolean;
}

/** The form as a request: every field given. */
export function requestOfForm(form: WorkstationForm): SpecRequest {
  const image = form.image.trim();
  return {
    name: form.name,
    region: form.region,
    instanceType: form.instanceType.trim(),
    image: form.imageKind === 'ami'
      ? { kind: 'ami', imageId: validateAmiId(image, 'image') }
      : { kind: 'parameter', path: validateParameterPath(image, 'imageParameter') },
    diskGiB: form.diskGiB,
    spot: form.spot,
    sshUser: form.sshUser,
    sshHost: form.sshHost.trim() === '' ? null : form.sshHost.trim(),
    sshPort: form.sshPort,
    ingressCidr: form.ingressCidr.trim(),
    ingressAnywhere: form.ingressAnywhere === true,
    autoStopEnabled: form.autoStopEnabled,
    autoStopMinutes: form.autoStopMinutes,
    ...(form.setupScript === undefined ? {} : { setupScript: form.setupScript === '' ? null : form.setupScript }),
  };
}

/**
 * The one place a request becomes a spec, for `rig init` and the setup form alike: fields not
 * given keep the saved spec's values (and what neither face shows, such as the watchdog's GPU
 * threshold); every field is validated with a fix. A workstation may change its name or region
 * only while it has no instance (its key pair and security group are made again in the new region).
 */
export function specFromInput(request: SpecRequest, existing: WorkstationSpec | null, hasInstance: boolean): SpecInput {
  const name = validateName(request.name, 'name');
  const regionText = request.region ?? existing?.region;
  const typeText = request.instanceType ?? existing?.instanceType;
  if (!regionText) throw new CloudRigError('InvalidInput', 'No region given.', { action: 'correct-input', field: 'region', hint: 'give a region such as us-east-1.' });
  if (!typeText) throw new CloudRigError('InvalidInput', 'No instance type given.', { action: 'correct-input', field: 'instanceType', hint: 'give an instance type such as g4dn.xlarge.' });
  const region = validateRegion(regionText, 'region');
  const instanceType = validateInstanceType(typeText, 'instanceType');
  if (existing && hasInstance && (existing.region !== region || existing.name !== name)) {
    throw new CloudRigError('WorkstationInUse', `${existing.name} has an instance in ${existing.region}, so its name and region cannot change.`,
      { action: 'terminate-first', name: existing.name });
  }
  const image = request.image ?? existing?.image ?? { kind: 'parameter', path: DEFAULT_AMI_PARAMETER };
  const base: WorkstationSpec = existing ?? WorkstationSpecSchema.parse({ name, region, instanceType, image, ingressCidr: '0.0.0.0/32' });
  const cidrText = request.ingressCidr ?? (existing && !existing.ingressAuto ? existing.ingressCidr : 'auto');
  // A new CIDR needs its own confirmation; a kept range keeps the one it was given.
  const anywhere = request.ingressAnywhere ?? (request.ingressCidr === undefined ? base.ingressAnywhere : undefined);
  const ingressCidr = cidrText === 'auto' ? 'auto' : validateCidr(cidrText, 'ingressCidr', { allowAnywhere: anywhere === true });
  const sshHost = request.sshHost === undefined ? base.sshHost : request.sshHost === null || request.sshHost === '' ? undefined : validateSshHost(request.sshHost, 'sshHost');
  const { sshHost: _droppedHost, ingressAnywhere: _droppedAnywhere, setupScript: _droppedSetup, ...rest } = base;
  const setupScript = request.setupScript === undefined ? base.setupScript
    : request.setupScript === null ? undefined : validateSetupScript(request.setupScript, 'setupScript');
  return {
    ...rest,
    name,
    region,
    instanceType,
    image,
    preferSavedImage: base.preferSavedImage,
    diskGiB: request.diskGiB ?? base.diskGiB,
    spot: request.spot ?? base.spot,
    sshUser: request.sshUser === undefined ? base.sshUser : validateSshUser(request.sshUser, 'sshUser'),
    ...(sshHost === undefined ? {} : { sshHost }),
    sshPort: request.sshPort ?? base.sshPort,
    ingressCidr,
    ...(anywhere === true && ingressCidr !== 'auto' ? { ingressAnywhere: true } : {}),
    ...(setupScript === undefined ? {} : { setupScript }),
    ...(request.archiveAfterDays === undefined ? {} : { archiveAfterDays: validateInteger(request.archiveAfterDays, 'archiveAfterDays', ARCHIVE_AFTER_DAYS.min, ARCHIVE_AFTER_DAYS.max) }),
    ...(request.autoArchive === undefined ? {} : { autoArchive: request.autoArchive }),
    autoStop: {
      enabled: request.autoStopEnabled ?? base.autoStop.enabled,
      idleMinutes: request.autoStopMinutes === undefined ? base.autoStop.idleMinutes : validateIdleMinutes(request.autoStopMinutes),
      gpuBusyPercent: base.autoStop.gpuBusyPercent,
    },
  };
}

function validateIdleMinutes(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < IDLE_MINUTES.min || minutes > IDLE_MINUTES.max) {
    throw new CloudRigError('InvalidInput', `${minutes} is not a number of idle minutes CloudRig can use.`,
      { action: 'correct-input', field: 'idleMinutes', hint: `give whole minutes from ${IDLE_MINUTES.min} to ${IDLE_MINUTES.max}.` });
  }
  return minutes;
}

/** What `setUpWorkstation` did. */
export type SetUpResult = Awaited<ReturnType<CloudRigCore['service']['init']>>;

/**
 * Set up or edit a workstation: the spec from the request, its key pair and security group made
 * (idempotent), and it becomes the current workstation. `editing` names the workstation being
 * edited when the request may rename it (the app's form); otherwise the request's name picks it.
 */
export async function setUpWorkstation(
  core: CloudRigCore,
  request: SpecRequest,
  options: { readonly editing?: string | null; readonly newKey?: boolean; readonly onStep?: (step: Step) => void } = {},
): Promise<SetUpResult> {
  const saved = core.settings.read().workstations;
  const existing = (options.editing ? saved[options.editing] : undefined) ?? saved[request.name] ?? null;
  const moving = existing !== null && ((request.region !== undefined && request.region !== existing.region) || request.name !== existing.name);
  // Only a move needs to know whether an instance exists; AWS is asked then, never trusted from a cache.
  const hasInstance = moving ? await instanceExists(core, existing.name) : false;
  const input = specFromInput(request, existing, hasInstance);
  const result = await core.service.init(input, { onStep: options.onStep, newKey: options.newKey === true });
  core.settings.update((current) => ({ ...current, current: input.name }));
  return result;
}

async function instanceExists(core: CloudRigCore, name: string): Promise<boolean> {
  const snapshot = await core.service.refresh(name, { probeSsh: false });
  if (snapshot.phase === 'error' && snapshot.error) throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
  return snapshot.instance !== null;
}
