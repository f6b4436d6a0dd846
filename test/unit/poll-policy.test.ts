import { describe, expect, it } from 'vitest';
import { describeIntervalWhileProbing, nextPollDelay, POLL } from '../../src/core/poll-policy.js';
import type { Phase, Snapshot } from '../../src/shared/workstation.js';

function snapshot(phase: Phase): Snapshot {
  return {
    name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', phase, instance: null,
    sshCommand: null, error: null, step: null, observedAt: 0, readyAt: null,
  };
}

describe('adaptive polling', () => {
  it('looks at most once a minute while nothing changes', () => {
    for (const phase of ['ready', 'stopped', 'absent', 'error'] as const) {
      expect(nextPollDelay(snapshot(phase), null, 0)).toBe(60_000);
    }
  });

  it('looks every half second while a transition is under way', () => {
    for (const phase of ['launching', 'pending', 'stopping', 'terminating', 'imaging'] as const) {
      expect(nextPollDelay(snapshot(phase), 1_000, 2_000)).toBe(POLL.fast);
    }
  });

  it('probes ssh every half second once the instance runs, backing off when ssh stays silent', () => {
    expect(nextPollDelay(snapshot('running'), 0, 30_000)).toBe(POLL.sshProbe);
    expect(nextPollDelay(snapshot('running'), 0, 60 * 60_000)).toBe(POLL.slowest);
  });

  it('asks EC2 every 10 s while waiting for ssh, then once a minute after 10 minutes', () => {
    expect(describeIntervalWhileProbing(0, 60_000)).toBe(10_000);
    expect(describeIntervalWhileProbing(0, 11 * 60_000)).toBe(60_000);
  });

  it('backs off during long transitions such as imaging, up to five seconds', () => {
    expect(nextPollDelay(snapshot('imaging'), 0, 2 * 60_000)).toBe(1_000);
    expect(nextPollDelay(snapshot('imaging'), 0, 4 * 60_000)).toBe(2_000);
    expect(nextPollDelay(snapshot('imaging'), 0, 60 * 60_000)).toBe(POLL.slowest);
  });
});
