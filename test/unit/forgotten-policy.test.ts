import { describe, expect, it } from 'vitest';
import {
  FORGOTTEN_SCAN_MS,
  INITIAL_FORGOTTEN_STATE,
  evaluateForgotten,
  foreignOf,
  forgottenNotice,
  forgottenScanDue,
  type ForeignInstance,
} from '../../src/core/app/forgotten-watch.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');

function foreign(instanceId: string, overrides: Partial<ForeignInstance> = {}): ForeignInstance {
  return {
    instanceId, region: 'ap-southeast-2', instanceType: 'p3.2xlarge', launchedAt: null, uptimeMs: 3 * 3_600_000 + 5 * 60_000,
    hourlyUsd: 4.234, priceSource: 'live', consoleUrl: `https://console/${instanceId}`, dismissed: false, ...overrides,
  };
}

describe('forgotten-instance policy', () => {
  it('scans on start and then at most hourly', () => {
    expect(forgottenScanDue(null, NOW)).toBe(true);
    expect(forgottenScanDue(NOW - FORGOTTEN_SCAN_MS + 1, NOW)).toBe(false);
    expect(forgottenScanDue(NOW - FORGOTTEN_SCAN_MS, NOW)).toBe(true);
    // A clock set back must not silence the scan for good.
    expect(forgottenScanDue(NOW + 60_000, NOW)).toBe(true);
  });

  it('counts only running or starting instances without a CloudRig workstation tag', () => {
    const base = { region: 'r', instanceType: 't3.micro', launchedAt: null };
    expect(foreignOf([
      { ...base, instanceId: 'a', state: 'running', workstation: null },
      { ...base, instanceId: 'b', state: 'pending', workstation: null },
      { ...base, instanceId: 'c', state: 'stopped', workstation: null },
      { ...base, instanceId: 'd', state: 'running', workstation: 'gpu' },
    ]).map((i) => i.instanceId)).toEqual(['a', 'b']);
  });

  it('names region, type, uptime and rate, with the two buttons', () => {
    expect(forgottenNotice(foreign('i-1'))).toEqual({
      id: 'forgotten:i-1',
      instanceId: 'i-1',
      title: 'An instance CloudRig did not start is running',
      body: 'p3.2xlarge in ap-southeast-2 (i-1), up 3h05m, $4.23/h. CloudRig leaves it alone.',
      actions: [{ action: 'show-in-console', label: 'Show in AWS console' }, { action: 'dismiss', label: "Don't tell me about this one again" }],
      consoleUrl: 'https://console/i-1',
    });
    expect(forgottenNotice(foreign('i-2', { hourlyUsd: null, uptimeMs: null })).body).toBe('p3.2xlarge in ap-southeast-2 (i-2), since an unknown time, rate unknown. CloudRig leaves it alone.');
  });

  it('reports each instance once, never a dismissed one, and forgets reports of instances gone', () => {
    const first = evaluateForgotten(INITIAL_FORGOTTEN_STATE, [foreign('a'), foreign('b')]);
    expect(first.notices.map((n) => n.instanceId)).toEqual(['a', 'b']);
    expect(evaluateForgotten(first.state, [foreign('a'), foreign('b')]).notices).toEqual([]);
    const gone = evaluateForgotten({ ...first.state, dismissed: ['b'] }, []);
    expect(gone.state).toEqual({ reported: [], dismissed: ['b'] });
    expect(evaluateForgotten(gone.state, [foreign('a'), foreign('b')]).notices.map((n) => n.instanceId)).toEqual(['a']);
  });
});
