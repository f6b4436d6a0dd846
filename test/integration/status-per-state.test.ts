import { describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';

// `rig status` says what is true of the state the workstation is in: a stopped box costs its disk
// (not the running rate), has no idle auto-stop ticking and no ssh to offer; a workstation with no
// instance says what a start would cost; a running one says how long it has been up.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: true } });

async function statusText(): Promise<string> {
  const result = await world.rig(['status']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('rig status per state', () => {
  it('with no instance yet: says so in words and what a start would cost, with nothing about idle or ssh', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    const text = await statusText();
    expect(text).toMatch(/^gpu \(g4dn\.xlarge, us-east-1\): no instance$/m);
    expect(text).not.toContain('absent');
    expect(text).toMatch(/^A start launches one at \$0\.526\/h \(bundled price\)\.$/m);
    expect(text).not.toMatch(/idle|^ssh /m);
  });

  it('running: how long it has been up, the rate, the idle stop and the ssh command', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    expect((await world.rig(['up'])).code).toBe(0);
    const text = await statusText();
    expect(text).toMatch(/^gpu \(g4dn\.xlarge, us-east-1\): ready — i-\w+$/m);
    expect(text).toMatch(/^Up \d+ min\b/m);
    expect(text).toMatch(/^Cost: \$0\.526\/h/m);
    expect(text).toMatch(/^Stops itself after 60 idle minutes\.$/m);
    expect(text).toMatch(/^ssh /m);
  });

  it('stopped: what its disk costs a month, no running rate, no idle text and no ssh line', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    expect((await world.rig(['stop'])).code).toBe(0);
    const text = await statusText();
    expect(text).toMatch(/^gpu \(g4dn\.xlarge, us-east-1\): stopped — i-\w+$/m);
    // 100 GiB of gp3 at the bundled 0.08 $/GiB-month.
    expect(text).toMatch(/^Stopped: no instance charge; its 100 GiB disk costs about \$8\.00\/month \(bundled price\)\. `rig up` starts it at \$0\.526\/h\.$/m);
    expect(text).not.toMatch(/^Cost: /m);
    expect(text).not.toMatch(/idle|^ssh /m);
    expect(await world.statusJson()).toMatchObject({ state: 'stopped', disk: { sizeGiB: 100, monthlyUsd: 8, priceSource: 'bundled' } });
  });
});
