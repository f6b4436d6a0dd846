import { defaultSettings } from '../../../src/shared/settings.js';
import type { TraySettings } from '../../../src/core/tray-model.js';
import type { InstanceFacts, InstanceStateName, Phase, Snapshot, WorkstationSpec } from '../../../src/shared/workstation.js';
import { DEFAULT_AMI_PARAMETER } from '../../../src/shared/workstation.js';

/** 2026-11-27 10:00:00 UTC, the "now" of these tests. */
export const NOW = Date.parse('2026-11-27T10:00:00Z');

const STATE_OF: Partial<Record<Phase, InstanceStateName>> = {
  pending: 'pending',
  running: 'running',
  ready: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  imaging: 'running',
  terminating: 'shutting-down',
};

/** The instance a workstation in `phase` has (null for absent, launching and error). */
export function instanceIn(phase: Phase, overrides: Partial<InstanceFacts> = {}): InstanceFacts | null {
  const state = STATE_OF[phase];
  if (!state) return null;
  return {
    instanceId: 'i-0123456789abcdef0',
    state,
    instanceType: 'g4dn.xlarge',
    publicIp: '198.51.100.7',
    publicDns: 'ec2-198-51-100-7.compute-1.amazonaws.com',
    // Launched 1h12m before NOW.
    launchedAt: new Date(NOW - 72 * 60_000).toISOString(),
    availabilityZone: 'us-east-1a',
    spot: false,
    imageId: 'ami-dca37ea5',
    stateReason: null,
    ...overrides,
  };
}

/** A snapshot of workstation `gpu` in `phase`, as the core publishes it. */
export function snapshotIn(phase: Phase, overrides: Partial<Snapshot> = {}): Snapshot {
  const instance = overrides.instance !== undefined ? overrides.instance : instanceIn(phase);
  const running = instance?.state === 'running';
  return {
    name: 'gpu',
    region: 'us-east-1',
    instanceType: 'g4dn.xlarge',
    phase,
    instance,
    sshCommand: running ? 'ssh -i /home/me/.config/CloudRig/keys/cloudrig-gpu ubuntu@ec2-198-51-100-7.compute-1.amazonaws.com' : null,
    error: null,
    step: null,
    observedAt: NOW,
    readyAt: phase === 'ready' ? NOW - 60 * 60_000 : null,
    ...overrides,
  };
}

/** A spec for workstation `gpu`. */
export function specOf(overrides: Partial<WorkstationSpec> = {}): WorkstationSpec {
  return {
    name: 'gpu',
    region: 'us-east-1',
    instanceType: 'g4dn.xlarge',
    image: { kind: 'parameter', path: DEFAULT_AMI_PARAMETER },
    preferSavedImage: true,
    diskGiB: 100,
    spot: false,
    sshUser: 'ubuntu',
    sshPort: 22,
    ingressCidr: '203.0.113.7/32',
    autoStop: { enabled: true, idleMinutes: 60, gpuBusyPercent: 10 },
    ...overrides,
  };
}

/** Settings with workstation `gpu` saved and current (start at login, the app's own, off). */
export function settingsWithGpu(overrides: Partial<TraySettings> = {}): TraySettings {
  return { ...defaultSettings(), startAtLogin: false, current: 'gpu', workstations: { gpu: specOf() }, ...overrides };
}
