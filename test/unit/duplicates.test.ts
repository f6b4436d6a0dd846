import { describe, expect, it } from 'vitest';
import { duplicatesError, duplicatesOf, isSpotInterruption, keeperOf } from '../../src/core/duplicates.js';
import { notificationPolicy } from '../../src/core/notification-policy.js';
import type { InstanceFacts } from '../../src/shared/workstation.js';
import { instanceIn, NOW, settingsWithGpu, snapshotIn } from './support/snapshots.js';
import { fixWorded } from '../support/fix-matchers.js';

function instance(id: string, state: InstanceFacts['state'], launchedAt: string, extra: Partial<InstanceFacts> = {}): InstanceFacts {
  return { instanceId: id, state, instanceType: 'g4dn.xlarge', publicIp: null, publicDns: null, launchedAt, availabilityZone: null, spot: false, imageId: null, stateReason: null, ...extra };
}

describe('which of several instances is kept', () => {
  it('is the oldest live one, whichever order AWS lists them in', () => {
    const older = instance('i-b', 'pending', '2026-01-01T10:00:00.000Z');
    const newer = instance('i-a', 'running', '2026-01-01T10:00:05.000Z');
    expect(keeperOf([newer, older])?.instanceId).toBe('i-b');
    expect(keeperOf([older, newer])?.instanceId).toBe('i-b');
  });

  it('breaks a tie in launch time by the instance id, so two machines agree', () => {
    const a = instance('i-a', 'running', '2026-01-01T10:00:00.000Z');
    const b = instance('i-b', 'running', '2026-01-01T10:00:00.000Z');
    expect(keeperOf([b, a])?.instanceId).toBe('i-a');
  });

  it('never prefers an instance that is shutting down', () => {
    const dying = instance('i-old', 'shutting-down', '2026-01-01T09:00:00.000Z');
    const live = instance('i-new', 'pending', '2026-01-01T10:00:00.000Z');
    expect(keeperOf([dying, live])?.instanceId).toBe('i-new');
    expect(duplicatesOf([dying, live])).toEqual([]);
  });
});

describe('the duplicates error', () => {
  it('names every live instance and the command that ends them all', () => {
    const duplicates = duplicatesOf([instance('i-2', 'stopped', '2026-01-02T00:00:00.000Z'), instance('i-1', 'running', '2026-01-01T00:00:00.000Z')]);
    const error = duplicatesError({ name: 'gpu', duplicates });
    expect(error?.code).toBe('DuplicateInstances');
    expect(error?.message).toMatch(/^Workstation gpu has 2 instances, each billed: i-1 \(running, .*\), i-2 \(stopped, .*\)\.$/);
    expect(error?.fix).toEqual(fixWorded('cli', '`rig down gpu`'));
    expect(error?.fix).toEqual(fixWorded('app', /^Terminate… in the popover ends all of them/));
    expect(duplicatesError({ name: 'gpu', duplicates: [] })).toBeNull();
  });
});

describe('a spot interruption', () => {
  it('is recognised from EC2 state reason codes on a spot instance only', () => {
    expect(isSpotInterruption(instance('i-1', 'stopped', 'x', { spot: true, stateReason: 'Server.SpotInstanceShutdown | Server.SpotInstanceShutdown: Spot instance shutdown' }))).toBe(true);
    expect(isSpotInterruption(instance('i-1', 'stopped', 'x', { spot: true, stateReason: 'Client.UserInitiatedShutdown | User initiated' }))).toBe(false);
    expect(isSpotInterruption(instance('i-1', 'stopped', 'x', { spot: false, stateReason: 'Server.SpotInstanceShutdown' }))).toBe(false);
  });
});

describe('notifications', () => {
  it('a spot interruption is announced as such, not as a plain stop', () => {
    const prev = snapshotIn('running');
    const next = snapshotIn('stopped', {
      instance: instanceIn('stopped', { spot: true, stateReason: 'Server.SpotInstanceShutdown | Server.SpotInstanceShutdown: Spot instance shutdown' }),
      spotInterrupted: true,
    });
    const notice = notificationPolicy(prev, next, NOW, settingsWithGpu());
    expect(notice).toMatchObject({ kind: 'stopped', title: 'gpu was stopped by AWS: the spot market took its capacity back' });
    // It resumes by itself: the notification must not send the user to Start (EC2 refuses it).
    expect(notice?.body).toMatch(/resumes by itself when its persistent spot request gets capacity again/);
    expect(notice?.body).not.toMatch(/Start/);
  });

  it('the interrupted instance running again is announced as the spot service resuming it', () => {
    const stopped = snapshotIn('stopped', {
      instance: instanceIn('stopped', { spot: true, stateReason: 'Server.SpotInstanceShutdown' }),
      spotInterrupted: true,
    });
    const running = snapshotIn('running', { instance: instanceIn('running', { spot: true }) });
    expect(notificationPolicy(stopped, running, NOW, settingsWithGpu())).toMatchObject({ kind: 'running', title: 'gpu is running again: AWS found spot capacity' });
    const plainStop = snapshotIn('stopped', { instance: instanceIn('stopped', { spot: true }) });
    expect(notificationPolicy(plainStop, running, NOW, settingsWithGpu())).toMatchObject({ title: 'gpu is running' });
  });

  it('a second live instance appearing raises an error naming both, once', () => {
    const one = instanceIn('running', { instanceId: 'i-1', launchedAt: '2026-11-27T09:00:00.000Z' })!;
    const two = instanceIn('pending', { instanceId: 'i-2', launchedAt: '2026-11-27T09:30:00.000Z' })!;
    const prev = snapshotIn('running', { instance: one });
    const next = snapshotIn('running', { instance: one, duplicates: [one, two] });
    const shown = notificationPolicy(prev, next, NOW, settingsWithGpu());
    expect(shown).toMatchObject({ kind: 'error' });
    expect(shown?.title).toContain('i-1');
    expect(shown?.title).toContain('i-2');
    expect(notificationPolicy(next, { ...next, observedAt: NOW + 1 }, NOW, settingsWithGpu())).toBeNull();
  });
});
