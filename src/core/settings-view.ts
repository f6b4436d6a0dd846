import type { AppState } from '../shared/app-state.js';
import type { Settings } from '../shared/settings.js';
import type { SettingsView, TerminalOption, WorkstationForm } from '../shared/views.js';
import { DEFAULT_AMI_PARAMETER, type WorkstationSpec } from '../shared/workstation.js';
import type { KeyStorageVerdict } from './credentials.js';
import { KNOWN_REGIONS } from './validate.js';

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
    // A spec that follows the user's address shows `auto`, so Save keeps following it (as `rig init` does).
    ingressCidr: spec.ingressAuto === true ? 'auto' : spec.ingressCidr,
    ingressAnywhere: spec.ingressAnywhere === true,
    autoStopEnabled: spec.autoStop.enabled,
    autoStopMinutes: spec.autoStop.idleMinutes,
    setupScript: spec.setupScript ?? '',
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
  /** Paths of fields in the settings file CloudRig does not know (none when not given). */
  readonly unknownFields?: readonly string[];
  /** The app's own state: whether keys are stored, start at login. */
  readonly appState: Pick<AppState, 'sealedCredentials' | 'startAtLogin'>;
}

/** Settings as the popover may see them: no secret, only whether keys are stored. */
export function settingsView(settings: Settings, facts: SettingsFacts): SettingsView {
  const spec = facts.current === null ? undefined : settings.workstations[facts.current];
  return {
    profile: settings.profile,
    profiles: facts.profiles,
    hasStoredKeys: facts.appState.sealedCredentials !== null,
    keyStorage: facts.keyStorage.available ? { available: true, reason: null } : { available: false, reason: facts.keyStorage.reason },
    terminal: settings.terminal,
    terminals: facts.terminals,
    startAtLogin: facts.appState.startAtLogin,
    regions: KNOWN_REGIONS,
    workstation: spec ? formOf(spec) : null,
    defaults: DEFAULT_FORM,
    locked: facts.hasInstance,
    reminders: settings.reminders,
    unknownFields: facts.unknownFields ?? [],
  };
}

