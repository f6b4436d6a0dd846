import { createServer, type Server, type Socket } from 'node:net';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import type { Clock } from '../../src/core/ports.js';
import {
  CALL_BUDGET_MS,
  DEFAULT_MAX_ATTEMPTS,
  clientConfig,
  requestTimeouts,
  worstCaseCallMs,
} from '../../src/adapters/aws/client-config.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { FleetWatch } from '../../src/core/app/fleet-watch.js';
import { trayModel } from '../../src/core/tray-model.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { Snapshot } from '../../src/shared/workstation.js';
import { cliFix } from '../../src/cli/fix-wording.js';
import { waitUntil } from '../support/wait-until.js';

const world = useRigWorld({ hold: { pendingMs: 1_500, stoppingMs: 1_000, shuttingDownMs: 300 }, eachTest: { init: true } });

/** A clock whose sleeps pass at once: a 15-minute wait runs in seconds against the real proxy. */
class FakeJumpingClock implements Clock {
  #now = Date.now();
  now(): number {
    return this.#now;
  }
  async sleep(ms: number): Promise<void> {
    this.#now += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A loopback TCP server that accepts every connection and never answers. */
async function silentEndpoint(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => count,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The single `error: … Fix: …` line a failed rig prints, checked to carry no stack trace. */
function errorLine(stderr: string): string {
  expect(stderr).not.toMatch(/\n\s+at /);
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('error: '));
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

/** waitUntil with this file's deadline (30 s) and a 25 ms step. */
const waitFor = (what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> => waitUntil(what, condition, timeoutMs, 25);

const ec2 = () => new EC2Client(clientConfig('EC2', 'us-east-1', { env: world.env }));

describe('request timeouts on every AWS call', () => {
  it('by default one call, every attempt and back-off included, ends within a minute', () => {
    expect(worstCaseCallMs(DEFAULT_MAX_ATTEMPTS, requestTimeouts(DEFAULT_MAX_ATTEMPTS, {}))).toBeLessThanOrEqual(CALL_BUDGET_MS);
    // A user who asks for more attempts gets shorter ones, not a longer silence.
    expect(worstCaseCallMs(10, requestTimeouts(10, {}))).toBeLessThanOrEqual(CALL_BUDGET_MS);
    const config = clientConfig('EC2', 'us-east-1', { env: world.env });
    expect(config.requestHandler.requestTimeout).toBeGreaterThan(0);
    expect(config.requestHandler.connectionTimeout).toBeGreaterThan(0);
  });

  it('rig status against an endpoint that accepts and never answers ends with EndpointUnreachable naming it', async () => {
    const silent = await silentEndpoint();
    try {
      const status = await world.rig(['status'], { env: { AWS_ENDPOINT_URL: silent.url, CLOUDRIG_AWS_TIMEOUT_MS: '400', AWS_MAX_ATTEMPTS: '2' } });
      expect(status.code).toBe(1);
      expect(errorLine(status.stderr)).toMatch(new RegExp(`^error: AWS EC2 at ${silent.url.replace(/\./g, '\\.')} did not answer in time \\(2 attempts\\)\\. Fix: Check your network connection, VPN or proxy`));
      expect(silent.connections()).toBeGreaterThanOrEqual(2);
    } finally {
      await silent.close();
    }
  });

  it('every client kind (EC2, SSM, STS, Pricing, Service Quotas) gives up on a silent endpoint', async () => {
    const silent = await silentEndpoint();
    try {
      const endpoint = { endpoint: silent.url };
      const access = { maxAttempts: 1, env: { ...world.env, CLOUDRIG_AWS_TIMEOUT_MS: '300' } };
      const [{ SSMClient, GetParameterCommand }, { STSClient, GetCallerIdentityCommand }, { PricingClient, GetProductsCommand }, { ServiceQuotasClient, GetServiceQuotaCommand }, { DescribeInstancesCommand }] =
        await Promise.all([import('@aws-sdk/client-ssm'), import('@aws-sdk/client-sts'), import('@aws-sdk/client-pricing'), import('@aws-sdk/client-service-quotas'), import('@aws-sdk/client-ec2')]);
      const calls = [
        new EC2Client({ ...clientConfig('EC2', 'us-east-1', access), ...endpoint }).send(new DescribeInstancesCommand({})),
        new SSMClient({ ...clientConfig('SSM', 'us-east-1', access), ...endpoint }).send(new GetParameterCommand({ Name: 'x' })),
        new STSClient({ ...clientConfig('STS', 'us-east-1', access), ...endpoint }).send(new GetCallerIdentityCommand({})),
        new PricingClient({ ...clientConfig('Pricing', 'us-east-1', access), ...endpoint }).send(new GetProductsCommand({ ServiceCode: 'AmazonEC2' })),
        new ServiceQuotasClient({ ...clientConfig('Service Quotas', 'us-east-1', access), ...endpoint }).send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA' })),
      ];
      const outcomes = await Promise.allSettled(calls);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({ name: 'TimeoutError' });
      }
    } finally {
      await silent.close();
    }
  });
});

describe('waits are bounded and notice interference', () => {
  it('rig up waiting for its instance to run ends at once when another command terminates it', async () => {
    world.cloud.proxy.setHold({ pendingMs: 60_000, stoppingMs: 1_000, shuttingDownMs: 300 });
    const clock = new FakeJumpingClock();
    const core = world.core({ clock });
    const client = ec2();
    let seenId: string | null = null;
    core.service.onDidChange((snapshot) => {
      if (snapshot.instance?.state === 'pending' && seenId === null) {
        seenId = snapshot.instance.instanceId;
        void client.send(new TerminateInstancesCommand({ InstanceIds: [seenId] }));
      }
    });
    const failure = await core.service.up(undefined, { waitSsh: false }).then(() => null, (error: unknown) => error);
    client.destroy();
    expect(failure).toBeInstanceOf(CloudRigError);
    const error = failure as CloudRigError;
    expect(error.code).toBe('InstanceInterrupted');
    expect(error.message).toContain(`${seenId!} (workstation gpu) is being terminated (shutting-down)`);
    expect(cliFix(error.fix)).toContain('rig up gpu');
    // Noticed on the next polls, not after a 15-minute timeout of polling.
    expect(world.cloud.proxy.counts().DescribeInstances ?? 0).toBeLessThan(10);
  });

  it('rig up waiting for ssh ends when the instance is stopped from another shell, saying so', async () => {
    // ssh never answers: the port points at a closed one.
    const reinit = await world.rig(initArgs(world).map((a) => (a === String(world.sshd.port) ? '9' : a)));
    expect(reinit.code, reinit.stderr).toBe(0);
    world.cloud.proxy.setHold({ pendingMs: 300, stoppingMs: 1_000, shuttingDownMs: 300 });
    const up = world.spawnRig(['up', '--timeout', '600']);
    // Running as EC2 (the proxy) reports it to rig: until then StopInstances is refused as pending.
    await waitFor('rig up to wait for ssh', () => up.output().includes('Waiting for ssh'));
    const stop = await world.rig(['stop']);
    expect(stop.code, stop.stderr).toBe(0);
    const code = await new Promise<number | null>((resolve) => up.once('exit', resolve));
    expect(code).toBe(1);
    const line = errorLine(up.output());
    const [instance] = await world.instances();
    expect(line).toMatch(new RegExp(`^error: ${instance!.InstanceId!} \\(workstation gpu\\) is (stopping|stopped): something other than this start changed it`));
    expect(line).toContain('Start it again with `rig up gpu`');
  });

  it('rig stop waiting for its instance to stop ends at once when another command terminates it', async () => {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    world.cloud.proxy.setHold({ pendingMs: 300, stoppingMs: 60_000, shuttingDownMs: 60_000 });
    const core = world.core({ clock: new FakeJumpingClock() });
    const client = ec2();
    let terminated: string | null = null;
    core.service.onDidChange((snapshot) => {
      if (snapshot.instance?.state === 'stopping' && terminated === null) {
        terminated = snapshot.instance.instanceId;
        void client.send(new TerminateInstancesCommand({ InstanceIds: [terminated] }));
      }
    });
    world.cloud.proxy.resetCounts();
    const failure = await core.service.stop(undefined).then(() => null, (error: unknown) => error);
    client.destroy();
    expect(failure).toMatchObject({ code: 'InstanceInterrupted' });
    const error = failure as CloudRigError;
    expect(error.message).toContain(`${terminated!} (workstation gpu) is being terminated (shutting-down): something other than this stop`);
    expect(cliFix(error.fix)).toContain('It is no longer billed by the hour');
    expect(world.cloud.proxy.counts().DescribeInstances ?? 0).toBeLessThan(10);
  });

  it('a 15-minute wait for a pending instance costs under 300 DescribeInstances (the poll policy backs off)', async () => {
    world.cloud.proxy.setHold({ pendingMs: 120_000, stoppingMs: 1_000, shuttingDownMs: 300 });
    const core = world.core({ clock: new FakeJumpingClock() });
    const failure = await core.service.up(undefined, { waitSsh: false, timeoutMs: 15 * 60_000 }).then(() => null, (error: unknown) => error);
    expect(failure).toMatchObject({ code: 'Timeout' });
    const describes = world.cloud.proxy.counts().DescribeInstances ?? 0;
    expect(describes).toBeGreaterThan(50);
    expect(describes).toBeLessThan(300);
  });
});

describe('a failure after money started flowing says what is billed', () => {
  it('a 503 on DescribeInstances right after "Launched i-…" that outlasts the retries names the instance, its rate and rig stop', async () => {
    // The first DescribeInstances (is there an instance already?) passes; every later one fails.
    world.cloud.proxy.inject({ action: 'DescribeInstances', kind: 'server-error', after: 1, times: Infinity });
    const up = await world.rig(['up', '--no-wait-ssh'], { env: { AWS_MAX_ATTEMPTS: '2' } });
    expect(up.code).toBe(1);
    world.cloud.proxy.clearFaults();
    const [instance] = await world.instances();
    expect(up.stderr).toContain(`Launched ${instance!.InstanceId!}`);
    const line = errorLine(up.stderr);
    expect(line).toMatch(/^error: AWS EC2 in us-east-1 kept failing on its side \(Unavailable, HTTP 503\) after 2 attempts\./);
    expect(line).toMatch(new RegExp(`Instance ${instance!.InstanceId!} \\(workstation gpu, g4dn\\.xlarge in us-east-1\\) is pending and billed by the hour \\(about \\$\\d+\\.\\d+/hour on demand\\)\\.`));
    expect(line).toContain('`rig stop gpu` (keeps the disk) or `rig down gpu`');
  });

  it('rig stop with AWS unreachable names the instance this home launched, that it may be billed, and the command', async () => {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const [instance] = await world.instances();
    world.cloud.proxy.inject({ action: '*', kind: 'reset', times: Infinity });
    const stop = await world.rig(['stop'], { env: { AWS_MAX_ATTEMPTS: '2' } });
    expect(stop.code).toBe(1);
    world.cloud.proxy.clearFaults();
    const line = errorLine(stop.stderr);
    expect(line).toMatch(/^error: Could not reach AWS EC2 at http:\/\/127\.0\.0\.1:\d+ \(2 attempts\): ECONNRESET\./);
    expect(line).toContain(`Instance ${instance!.InstanceId!} (workstation gpu, g4dn.xlarge in us-east-1) may still be running (its state is unknown: AWS did not answer)`);
    expect(line).toContain('`rig stop gpu`');
  });

  it('rig down --save-image whose TerminateInstances fails says the image is kept and the instance still billed', async () => {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    world.cloud.proxy.inject({ action: 'TerminateInstances', kind: 'server-error', times: Infinity });
    const down = await world.rig(['down', '--save-image', '--yes'], { env: { AWS_MAX_ATTEMPTS: '2' } });
    expect(down.code).toBe(1);
    world.cloud.proxy.clearFaults();
    const [instance] = await world.instances();
    expect(instance!.State?.Name).toBe('running');
    const line = errorLine(down.stderr);
    expect(line).toMatch(/Image ami-\w+ was saved and is kept; the instance was not terminated\./);
    expect(line).toContain(`Instance ${instance!.InstanceId!} (workstation gpu, g4dn.xlarge in us-east-1) is running and billed by the hour`);
    expect(line).toContain('`rig down gpu` (terminates it)');
  });
});

describe('offline and back', () => {
  it('with the endpoint dropped the app keeps the ready instance with its age and says offline; on network return it refreshes at once', async () => {
    const core = world.core({ maxAttempts: 1 });
    const ready = await core.service.up(undefined, { timeoutMs: 60_000 });
    expect(ready.phase).toBe('ready');
    const seen: Snapshot[] = [];
    core.service.onDidChange((snapshot) => seen.push(snapshot));
    const watcher = new FleetWatch({ service: core.service, cloud: core.cloud, clock: systemClock });
    watcher.start();
    try {
      world.cloud.proxy.inject({ action: '*', kind: 'reset', times: Infinity });
      watcher.refreshNow();
      await waitFor('an offline snapshot', () => seen.some((s) => s.error?.code === 'EndpointUnreachable'));
      const offline = seen.find((s) => s.error?.code === 'EndpointUnreachable')!;
      expect(offline.phase).toBe('ready');
      expect(offline.instance?.instanceId).toBe(ready.instance?.instanceId);
      expect(offline.instance?.state).toBe('running');
      expect(offline.observedAt).toBeLessThanOrEqual(Date.now());
      const tray = trayModel(offline, core.settings.read(), Date.now());
      expect(tray.icon).toBe('ready');
      expect(tray.menu[0]).toMatchObject({ label: expect.stringMatching(/^gpu: Ready for ssh \(offline, as of \d+m ago\)$/) });

      world.cloud.proxy.clearFaults();
      const before = world.cloud.proxy.counts().DescribeInstances ?? 0;
      watcher.refreshNow();
      await waitFor('the snapshot after the network came back', () => seen.at(-1)?.error === null, 10_000);
      expect(world.cloud.proxy.counts().DescribeInstances ?? 0).toBeGreaterThan(before);
      expect(seen.at(-1)).toMatchObject({ phase: 'ready', error: null });
    } finally {
      await watcher.dispose();
    }
  });
});
