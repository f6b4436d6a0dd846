import type { Settings } from '../shared/settings.js';
import type { SettingsView, TerminalOption, WorkstationForm } from '../shared/views.js';
import { DEFAULT_AMI_PARAMETER, type WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import type { KeyStorageVerdict } from './credentials.js';
import {
  KNOWN_REGIONS,
  validateAmiId,
  validateCidr,
  validateInstanceType,
  validateName,
  validateParameterPath,
  validateRegion,
} from './validate.js';
import { IDLE_MINUTES } from '../shared/limits.js';

/** What the first-run form starts with: a small NVIDIA GPU box on the Deep Learning image. */
export const DEFAULT_FORM: WorkstationForm = {
  name: 'gpu',
  region: 'us-east-1',
  instanceType: 'g4dn.xlarge',
  imageKind: 'parameter',
  image: DEFAULT_AMI_PARAMETER,
  diskGiB: 100,
  spot: false,
  sshUser: 'ubuntu',
  sshHost: '',
  sshPort: 22,
  ingressCidr: 'auto',
  ingressAnywhere: false,
  autoStopEnabled: true,
  autoStopMinutes: 60,
};

/** A saved spec as the form shows it. */
export function formOf(spec: WorkstationSpec): WorkstationForm {
  return {
    name: spec.name,
    region: spec.region,
    instanceType: spec.instanceType,
    imageKind: spec.image.kind,
    image: spec.image.kind === 'ami' ? spec.image.imageId : spec.image.path,
    diskGiB: spec.diskGiB,
    spot: spec.spot,
    sshUser: spec.sshUser,
    sshHost: spec.sshHost ?? '',
    sshPort: spec.sshPort,
    ingressCidr: spec.ingressCidr,
    ingressAnywhere: spec.ingressAnywhere === true,
    autoStopEnabled: spec.autoStop.enabled,
    autoStopMinutes: spec.autoStop.idleMinutes,
  };
}

/** What the settings view needs besides the settings file. */
export interface SettingsFacts {
  readonly current: string | null;
  readonly profiles: readonly string[];
  readonly keyStorage: KeyStorageVerdict;
  readonly terminals: readonly TerminalOption[];
  /** Whether the current workstation has an instance (then its name and region are fixed). */
  readonly hasInstance: boolean;
}

/** Settings as the popover may see them: no secret, only whether keys are stored. */
export function settingsView(settings: Settings, facts: SettingsFacts): SettingsView {
  const spec = facts.current === null ? undefined : settings.workstations[facts.current];
  return {
    profile: settings.profile,
    profiles: facts.profiles,
    hasStoredKeys: settings.encryptedCredentials !== null,
    keyStorage: facts.keyStorage.available ? { available: true, reason: null } : { available: false, reason: facts.keyStorage.reason },
    terminal: settings.terminal,
    terminals: facts.terminals,
    startAtLogin: settings.startAtLogin,
    regions: KNOWN_REGIONS,
    workstation: spec ? formOf(spec) : null,
    defaults: DEFAULT_FORM,
    locked: facts.hasInstance,
    reminders: settings.reminders,
  };
}

/** The spec `WorkstationService.init` takes, from the form; every field validated with a fix. */
export type SpecInput = Omit<WorkstationSpec, 'ingressCidr'> & { ingressCidr: string };

/**
 * Turns the form into a spec, keeping what the form does not show (the watchdog's GPU threshold,
 * saved-image preference) from the existing spec. Refuses to move a workstation that has an instance.
 */
export function specFromForm(form: WorkstationForm, existing: WorkstationSpec | null, hasInstance: boolean): SpecInput {
  if (existing && hasInstance && (existing.region !== form.region || existing.name !== form.name)) {
    throw new CloudRigError('WorkstationInUse', `${existing.name} has an instance in ${existing.region}, so its name and region cannot change.`,
      { action: 'terminate-first', name: existing.name });
  }
  const imageText = form.image.trim();
  return {
    name: validateName(form.name, 'name'),
    region: validateRegion(form.region, 'region'),
    instanceType: validateInstanceType(form.instanceType.trim(), 'instanceType'),
    image: form.imageKind === 'ami'
      ? { kind: 'ami', imageId: validateAmiId(imageText, 'image') }
      : { kind: 'parameter', path: validateParameterPath(imageText, 'imageParameter') },
    preferSavedImage: existing?.preferSavedImage ?? true,
    diskGiB: form.diskGiB,
    spot: form.spot,
    sshUser: form.sshUser,
    ...(form.sshHost.trim() === '' ? {} : { sshHost: form.sshHost.trim() }),
    sshPort: form.sshPort,
    ingressCidr: form.ingressCidr.trim() === 'auto' ? 'auto' : validateCidr(form.ingressCidr.trim(), 'ingressCidr', {
      allowAnywhere: form.ingressAnywhere === true,
    }),
    ...(form.ingressAnywhere === true && form.ingressCidr.trim() !== 'auto' ? { ingressAnywhere: true } : {}),
    autoStop: {
      enabled: form.autoStopEnabled,
      idleMinutes: validateIdleMinutes(form.autoStopMinutes),
      gpuBusyPercent: existing?.autoStop.gpuBusyPercent ?? 10,
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
