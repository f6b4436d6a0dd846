import { describe, expect, it } from 'vitest';
import {
  idleStatusCommand,
  idleStopNotice,
  idleStopSavingsUsd,
  instanceInitiatedStop,
  parseIdleStatus,
  snoozeCommand,
} from '../../src/core/idle-watchdog.js';
import { userDataFor, watchdogSettingsFromUserData } from '../../src/core/idle-watchdog-installer.js';
import { WorkstationSpecSchema, type InstanceFacts } from '../../src/shared/workstation.js';

const spec = (autoStop: object) =>
  WorkstationSpecSchema.parse({
    name: 'gpu',
    region: 'us-east-1',
    instanceType: 'g4dn.xlarge',
    image: { kind: 'ami', imageId: 'ami-1' },
    ingressCidr: '203.0.113.7/32',
    autoStop,
  });

const stopped = (stateReason: string | null, state: InstanceFacts['state'] = 'stopped'): InstanceFacts => ({
  instanceId: 'i-1',
  state,
  instanceType: 'g4dn.xlarge',
  publicIp: null,
  publicDns: null,
  launchedAt: '2026-11-10T08:00:00.000Z',
  availabilityZone: 'us-east-1a',
  spot: false,
  imageId: 'ami-1',
  stateReason,
});

describe('idle watchdog (pure parts)', () => {
  it('sends no user data when auto-stop is off', () => {
    expect(userDataFor(spec({ enabled: false, idleMinutes: 60, gpuBusyPercent: 10 }))).toBeNull();
  });

  it('sends a bash script for cloud-init that records its settings, readable back from the instance', () => {
    const userData = userDataFor(spec({ enabled: true, idleMinutes: 90, gpuBusyPercent: 5 }))!;
    expect(userData.startsWith('#!/bin/bash\n')).toBe(true);
    expect(userData).toContain('systemctl enable --now cloudrig-idle.timer');
    expect(watchdogSettingsFromUserData(userData)).toEqual({ idleMinutes: 90, gpuBusyPercent: 5 });
    expect(watchdogSettingsFromUserData('#!/bin/bash\necho hello\n')).toBeNull();
    expect(watchdogSettingsFromUserData(null)).toBeNull();
  });

  it('snoozes by writing now + hours into the keep-alive file', () => {
    const command = snoozeCommand(1.5, 1_794_300_000);
    expect(command).toContain(`f=/var/lib/cloudrig/keepalive; u=${1_794_300_000 + 5_400}`);
  });

  it('reads the watchdog status in local time, correcting the instance clock skew', () => {
    // The run directory the check script writes to (the same override, the same default); the keep-alive where Snooze writes.
    expect(idleStatusCommand()).toContain('cat "${CLOUDRIG_RUN_DIR:-/run/cloudrig}/idle-since"');
    expect(idleStatusCommand()).toContain('cat /var/lib/cloudrig/keepalive');
    expect(idleStatusCommand('/tmp/keep alive')).toContain("cat '/tmp/keep alive'");
    const localNow = Date.parse('2026-11-10T10:00:00Z');
    const remoteNow = localNow / 1000 + 30; // the instance clock runs 30 s ahead
    const status = parseIdleStatus(`now=${remoteNow}\nidle-since=${remoteNow - 600}\nkeepalive=${remoteNow + 3600}\n`, localNow);
    expect(status).toEqual({ idleSince: localNow - 600_000, keptAwakeUntil: localNow + 3_600_000 });
    expect(parseIdleStatus(`now=${remoteNow}\nidle-since=\nkeepalive=${remoteNow - 5}\n`, localNow)).toEqual({ idleSince: null, keptAwakeUntil: null });
  });

  it('tells a stop the instance did itself from one the user asked for', () => {
    expect(instanceInitiatedStop(stopped('Client.InstanceInitiatedShutdown: Instance initiated shutdown'))).toBe(true);
    expect(instanceInitiatedStop(stopped('Client.InstanceInitiatedShutdown', 'stopping'))).toBe(true);
    expect(instanceInitiatedStop(stopped('Client.UserInitiatedShutdown: User initiated shutdown'))).toBe(false);
    expect(instanceInitiatedStop(stopped('User initiated (2026-11-10 10:00:00 GMT)'))).toBe(false);
    expect(instanceInitiatedStop(stopped('Client.InstanceInitiatedShutdown', 'running'))).toBe(false);
    expect(instanceInitiatedStop(null)).toBe(false);
  });

  it('counts what an idle stop saved: the rate over the time since the stop', () => {
    const stoppedAt = Date.parse('2026-11-10T01:00:00Z');
    expect(idleStopSavingsUsd({ hourlyUsd: 0.526, stoppedAt, now: stoppedAt + 8 * 3_600_000 })).toBeCloseTo(4.208, 6);
    expect(idleStopSavingsUsd({ hourlyUsd: 0.526, stoppedAt, now: stoppedAt - 1 })).toBe(0);
  });

  it('notifies an idle stop as a saving, not an error', () => {
    const stoppedAt = Date.parse('2026-11-10T01:00:00Z');
    const overnight = idleStopNotice({ workstation: 'gpu', idleMinutes: 60, hourlyUsd: 0.526, stoppedAt, now: stoppedAt + 8 * 3_600_000 });
    expect(overnight).toEqual({
      title: 'gpu stopped itself after 60 idle minutes',
      body: 'About $4.21 saved so far; it would have cost $0.53/h idling.',
    });
    const rightAway = idleStopNotice({ workstation: 'gpu', idleMinutes: 60, hourlyUsd: 0.526, stoppedAt, now: stoppedAt + 30_000 });
    expect(rightAway.body).toBe('Nobody was using it; every hour it stays stopped saves $0.53.');
  });
});
