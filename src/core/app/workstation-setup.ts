import type { WorkstationForm } from '../../shared/views.js';
import { DEFAULT_AMI_PARAMETER, WorkstationSpecSchema, type ImageSource, type WorkstationSpec } from '../../shared/workstation.js';
import { CloudRigError } from '../errors.js';
import type { Step } from '../../shared/workstation.js';
import {
  validateAmiId,
  validateCidr,
  validateInstanceType,
  validateName,
  validateParameterPath,
  validateRegion,
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
}

/** How each face names its fields in errors: the CLI its flags, the app its form labels. */
export interface FieldNames {
  readonly name: string;
  readonly region: string;
  readonly instanceType: string;
  readonly image: string;
  readonly sshUser: string;
  readonly sshHost: string;
  readonly ingressCidr: string;
  readonly autoStopMinutes: string;
  /** How to confirm a CIDR that admits everyone. */
  readonly confirmAnywhere: string;
}

/** The setup form's labels. */
export const FORM_FIELDS: FieldNames = {
  name: 'Name',
  region: 'Region',
  instanceType: 'Instance type',
  image: 'Image',
  sshUser: 'SSH user',
  sshHost: 'SSH host',
  ingressCidr: 'Allowed addresses',
  autoStopMinutes: 'Stop when idle after',
  confirmAnywhere: 'tick "Allow ssh from anywhere"',
};

/** The form as a request: every field given. */
export function requestOfForm(form: WorkstationForm): SpecRequest {
  const image = form.image.trim();
  return {
    name: form.name,
    region: form.region,
    instanceType: form.instanceType.trim(),
    image: form.imageKind === 'ami'
      ? { kind: 'ami', imageId: validateAmiId(image, FORM_FIELDS.image) }
      : { kind: 'parameter', path: validateParameterPath(image, FORM_FIELDS.image) },
    diskGiB: form.diskGiB,
    spot: form.spot,
    sshUser: form.sshUser,
    sshHost: form.sshHost.trim() === '' ? null : form.sshHost.trim(),
    sshPort: form.sshPort,
    ingressCidr: form.ingressCidr.trim(),
    ingressAnywhere: form.ingressAnywhere === true,
    autoStopEnabled: form.autoStopEnabled,
    autoStopMinutes: form.autoStopMinutes,
  };
}

/**
 * The one place a request becomes a spec, for `rig init` and the setup form alike: fields not
 * given keep the saved spec's values (and what neither face shows, such as the watchdog's GPU
 * threshold); every field is validated with a fix. A workstation may change its name or region
 * only while it has no instance (its key pair and security group are made again in the new region).
 */
export function specFromInput(request: SpecRequest, existing: WorkstationSpec | null, hasInstance: boolean, fields: FieldNames = FORM_FIELDS): SpecInput {
  const name = validateName(request.name, fields.name);
  const regionText = request.region ?? existing?.region;
  const typeText = request.instanceType ?? existing?.instanceType;
  if (!regionText) throw new CloudRigError('InvalidInput', 'No region given.', `${fields.region}: give a region such as us-east-1.`);
  if (!typeText) throw new CloudRigError('InvalidInput', 'No instance type given.', `${fields.instanceType}: give an instance type such as g4dn.xlarge.`);
  const region = validateRegion(regionText, fields.region);
  const instanceType = validateInstanceType(typeText, fields.instanceType);
  if (existing && hasInstance && (existing.region !== region || existing.name !== name)) {
    throw new CloudRigError('WorkstationInUse', `${existing.name} has an instance in ${existing.region}, so its name and region cannot change.`,
      'Terminate the instance first (saving an image keeps your files), then change the region.');
  }
  const image = request.image ?? existing?.image ?? { kind: 'parameter', path: DEFAULT_AMI_PARAMETER };
  const base: WorkstationSpec = existing ?? WorkstationSpecSchema.parse({ name, region, instanceType, image, ingressCidr: '0.0.0.0/32' });
  const cidrText = request.ingressCidr ?? (existing && !existing.ingressAuto ? existing.ingressCidr : 'auto');
  // A new CIDR needs its own confirmation; a kept range keeps the one it was given.
  const anywhere = request.ingressAnywhere ?? (request.ingressCidr === undefined ? base.ingressAnywhere : undefined);
  const ingressCidr = cidrText === 'auto' ? 'auto' : validateCidr(cidrText, fields.ingressCidr, {
    allowAnywhere: anywhere === true,
    confirmWith: fields.confirmAnywhere,
  });
  const sshHost = request.sshHost === undefined ? base.sshHost : request.sshHost === null || request.sshHost === '' ? undefined : validateSshHost(request.sshHost, fields.sshHost);
  const { sshHost: _droppedHost, ingressAnywhere: _droppedAnywhere, ...rest } = base;
  return {
    ...rest,
    name,
    region,
    instanceType,
    image,
    preferSavedImage: base.preferSavedImage,
    diskGiB: request.diskGiB ?? base.diskGiB,
    spot: request.spot ?? base.spot,
    sshUser: request.sshUser === undefined ? base.sshUser : validateSshUser(request.sshUser, fields.sshUser),
    ...(sshHost === undefined ? {} : { sshHost }),
    sshPort: request.sshPort ?? base.sshPort,
    ingressCidr,
    ...(anywhere === true && ingressCidr !== 'auto' ? { ingressAnywhere: true } : {}),
    autoStop: {
      enabled: request.autoStopEnabled ?? base.autoStop.enabled,
      idleMinutes: request.autoStopMinutes === undefined ? base.autoStop.idleMinutes : validateIdleMinutes(request.autoStopMinutes, fields.autoStopMinutes),
      gpuBusyPercent: base.autoStop.gpuBusyPercent,
    },
  };
}

function validateIdleMinutes(minutes: number, field: string): number {
  if (!Number.isInteger(minutes) || minutes < 5 || minutes > 24 * 60) {
    throw new CloudRigError('InvalidInput', `${minutes} is not a number of idle minutes CloudRig can use.`,
      `${field}: give whole minutes from 5 to 1440.`);
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
  options: { readonly editing?: string | null; readonly fields?: FieldNames; readonly newKey?: boolean; readonly onStep?: (step: Step) => void } = {},
): Promise<SetUpResult> {
  const saved = core.settings.read().workstations;
  const existing = (options.editing ? saved[options.editing] : undefined) ?? saved[request.name] ?? null;
  const moving = existing !== null && ((request.region !== undefined && request.region !== existing.region) || request.name !== existing.name);
  // Only a move needs to know whether an instance exists; AWS is asked then, never trusted from a cache.
  const hasInstance = moving ? await instanceExists(core, existing.name) : false;
  const input = specFromInput(request, existing, hasInstance, options.fields);
  const result = await core.service.init(input, { onStep: options.onStep, newKey: options.newKey === true });
  core.settings.update((current) => ({ ...current, current: input.name }));
  return result;
}

async function instanceExists(core: CloudRigCore, name: string): Promise<boolean> {
  const snapshot = await core.service.refresh(name, { probeSsh: false });
  if (snapshot.phase === 'error' && snapshot.error) throw new CloudRigError(snapshot.error.code, snapshot.error.message, snapshot.error.fix);
  return snapshot.instance !== null;
}
