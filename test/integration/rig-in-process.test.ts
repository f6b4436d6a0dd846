import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { withProcessEnv } from '../support/process-env.js';
import { needsOwnProcess, runRigInProcess } from '../support/rig-in-process.js';
import { waitUntil } from '../support/wait-until.js';

// The harness that runs `rig` inside the test process (test/support/rig-in-process.ts): it must give a
// command the environment it was handed and nothing else, leave the process's own alone (so runs may
// overlap), and refuse what only a process of its own can run rather than run it wrongly.

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudrig-inprocess-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('rig in-process', () => {
  it('runs with exactly the environment it is given, collects what rig prints, and leaves the process environment and exitCode alone', async () => {
    const before = JSON.stringify(process.env);
    const result = await runRigInProcess(['status'], { CLOUDRIG_HOME: home, PATH: process.env.PATH });
    expect(result.code).toBe(1);
    // The home it was given (empty), not the test process's: rig says nothing is set up there.
    expect(result.stderr).toMatch(/^error: No workstation is set up yet\. Fix: Run `rig init/);
    expect(result.stdout).toBe('');
    expect(JSON.stringify(process.env)).toBe(before);
    expect(process.exitCode).toBeUndefined();
  });

  it('prints help to its own stdout with exit code 0', async () => {
    const result = await runRigInProcess(['--help'], { CLOUDRIG_HOME: home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: rig /);
  });

  it('leaves to a process of its own the commands that need one, and refuses to run them here', async () => {
    expect(needsOwnProcess(['ssh', '--', 'true'], {})).toBe(true);
    expect(needsOwnProcess(['code', 'gpu'], {})).toBe(true);
    expect(needsOwnProcess(['tunnel', '8888'], {})).toBe(true);
    expect(needsOwnProcess(['--debug', 'status'], {})).toBe(true);
    expect(needsOwnProcess(['status'], { CLOUDRIG_DEBUG: '1' })).toBe(true);
    expect(needsOwnProcess(['stats', '--watch'], {})).toBe(true);
    expect(needsOwnProcess(['--home', '/x', 'ssh'], {})).toBe(true);
    expect(needsOwnProcess(['--home', '/x', 'status', '--json'], {})).toBe(false);
    await expect(runRigInProcess(['ssh'], { CLOUDRIG_HOME: home })).rejects.toThrow(/needs a process of its own/);
  });
});

describe('two rig runs in flight at once', () => {
  let cloud: Cloud;
  let dir: string;
  beforeAll(async () => {
    cloud = await startCloud();
    dir = await mkdtemp(join(tmpdir(), 'cloudrig-inprocess-two-'));
  });
  afterAll(async () => {
    await cloud?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A run's environment: the cloud's endpoint and keys, and `home` as its CloudRig home and HOME. */
  const envOf = (home: string): NodeJS.ProcessEnv => ({ ...cloud.env, CLOUDRIG_HOME: home, HOME: home, PATH: process.env.PATH });

  /** A home holding one workstation, `name` in `region`, made by `rig init` there. */
  async function homeWith(name: string, region: string): Promise<string> {
    const home = join(dir, name);
    const init = await runRigInProcess(['init', '--name', name, '--region', region, '--type', 'g4dn.xlarge'], envOf(home));
    expect(init.code, init.stderr).toBe(0);
    return home;
  }

  it('each see only the workstation of their own home and reach only their own endpoint, while process.env names another of both', async () => {
    const alpha = await homeWith('alpha', 'us-east-1');
    const beta = await homeWith('beta', 'us-west-2');
    const intruder = await homeWith('intruder', 'eu-west-1');
    // Where the process's own environment points: a third home, and an endpoint that counts what reaches it.
    let strayRequests = 0;
    const stray = createServer((_req, res) => {
      strayRequests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => stray.listen(0, '127.0.0.1', resolve));
    const strayUrl = `http://127.0.0.1:${(stray.address() as AddressInfo).port}`;
    try {
      cloud.proxy.resetCounts();
      // Every DescribeInstances is held at the proxy until both runs' have arrived: neither run can
      // finish (or even get its answer) before the other has sent its request.
      cloud.proxy.inject({ action: 'DescribeInstances', kind: 'stall', times: Infinity });
      const [first, second] = await withProcessEnv({ CLOUDRIG_HOME: intruder, AWS_ENDPOINT_URL: strayUrl, AWS_ENDPOINT_URL_EC2: strayUrl }, async () => {
        const runs = Promise.all([runRigInProcess(['status', '--json'], envOf(alpha)), runRigInProcess(['status', '--json'], envOf(beta))]);
        let ended = false;
        void runs.then(() => (ended = true), () => (ended = true));
        const held = (region: string): number => cloud.proxy.countsByRegion()[`DescribeInstances@${region}`] ?? 0;
        await waitUntil('both runs\' DescribeInstances held at the proxy', () => {
          // A run that ended first (it went elsewhere, or ran alone) fails this at once, not at the timeout.
          if (ended) throw new Error('the runs ended before both their DescribeInstances were held at the proxy');
          return held('us-east-1') > 0 && held('us-west-2') > 0;
        }, 20_000);
        expect(cloud.proxy.peakRegionsInFlight('DescribeInstances')).toBeGreaterThanOrEqual(2);
        cloud.proxy.clearFaults();
        return runs;
      });
      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ name: 'alpha', region: 'us-east-1' });
      expect(JSON.parse(second.stdout)).toMatchObject({ name: 'beta', region: 'us-west-2' });
      expect(first.stdout).not.toMatch(/beta|intruder/);
      expect(second.stdout).not.toMatch(/alpha|intruder/);
      expect(strayRequests).toBe(0);
    } finally {
      cloud.proxy.clearFaults();
      await new Promise<void>((resolve) => stray.close(() => resolve()));
    }
  });
});
