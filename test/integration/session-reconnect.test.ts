import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppSession } from '../../src/core/app/app-session.js';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import type { AppView, GpuPanelView } from '../../src/shared/views.js';
import { freePort } from '../fixtures/free-port.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { startTcpRelay, type TcpRelay } from '../fixtures/tcp-relay.js';
import { testSessionPorts } from '../support/app-ports.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Sessions that survive sleep, through the built `rig` (and the app's IPC handlers) against moto +
// the cloud proxy + a real sshd: the workstation's ssh goes through a TCP relay, the network
// between the laptop and its box. Cutting the relay resets every connection and every new one, as
// a laptop that went to sleep or changed networks sees; restoring it is the network coming back.
// Each long-running session must come back by itself, say so in one line each way, and check the
// host key it first connected with on the way back.

const world = useRigWorld({ eachTest: { init: false } });
let relay: TcpRelay;
let scratch: string;

const LOST = 'Connection to workstation gpu lost; reconnecting…';
const BACK = /Reconnected to workstation gpu after \d+ (s|min)\./g;
/** The laptop's public address before and after it moved to another network. */
const HOME_IP = '203.0.113.7';
const CAFE_IP = '198.51.100.9';

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cloudrig-reconnect-'));
  relay = await startTcpRelay(world.sshd.port);
  world.cloud.proxy.setMyIp(HOME_IP);
  // The workstation's ssh goes through the relay; its security group follows the laptop's address.
  const args = initArgs(world);
  args[args.indexOf('--ssh-port') + 1] = String(relay.port);
  const init = await world.rig(args);
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
  return async () => {
    await relay.close();
    await rm(scratch, { recursive: true, force: true });
  };
});

const count = (text: string, pattern: string | RegExp): number => (typeof pattern === 'string' ? text.split(pattern).length - 1 : [...text.matchAll(pattern)].length);
const warnings = (text: string): number => count(text, /^warning: /gm);

/** An HTTP server on this machine, reached through the tunnel as the workstation's localhost. */
async function boxServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => response.end('from the box'));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

const through = (port: number): Promise<string> => fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());

/** The exit code once the child ended, or null when it still runs a minute later. */
async function exitOf(child: ChildProcess): Promise<number | null> {
  await waitUntil('the session to end', () => child.exitCode !== null, 60_000).catch(() => undefined);
  return child.exitCode;
}

/** The CIDRs the workstation's security group admits on ssh, as moto holds them. */
async function sshRanges(): Promise<string[]> {
  const ec2 = world.ec2();
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    return (out.SecurityGroups?.[0]?.IpPermissions ?? []).filter((p) => p.FromPort === 22).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp ?? '')).sort();
  } finally {
    ec2.destroy();
  }
}

/** `rig tunnel` from a free local port to the box's HTTP server, listening, for `run`; killed and closed after. */
async function withTunnel(run: (local: number, tunnel: ChildProcess & { output: () => string }) => Promise<void>): Promise<void> {
  const box = await boxServer();
  const local = await freePort();
  const tunnel = world.spawnRig(['tunnel', `${local}:${box.port}`]);
  try {
    await waitUntil('the tunnel to listen', () => tunnel.output().includes('Press Ctrl-C'));
    expect(await through(local)).toBe('from the box');
    await run(local, tunnel);
  } finally {
    if (tunnel.exitCode === null) tunnel.kill('SIGKILL');
    box.server.close();
  }
}

describe('rig tunnel', () => {
  it('reconnects by itself after the network drops, admitting the laptop\'s new address first, and carries bytes again', async () => {
    await withTunnel(async (local, tunnel) => {

      // The laptop sleeps and wakes on another network, with another public address.
      world.cloud.proxy.setMyIp(CAFE_IP);
      relay.cut();
      await waitUntil('the tunnel to say the connection is lost', () => tunnel.output().includes(LOST));
      // A request while the network is away fails, and adds no line of its own.
      expect(await through(local).then(() => 'carried', () => 'refused')).toBe('refused');
      const carried = relay.carried();
      relay.restore();
      // Back before anyone asks: the session connects again by itself, so the next request finds it up.
      await waitUntil('the session to connect again by itself', () => relay.carried() > carried);
      expect(await through(local)).toBe('from the box');
      await waitUntil('the tunnel to say it reconnected', () => count(tunnel.output(), BACK) > 0);
      const output = tunnel.output();
      expect(count(output, LOST), output).toBe(1);
      expect(count(output, BACK), output).toBe(1);
      expect(warnings(output), output).toBe(0);
      // The one line says the address was followed, and the group admits the new one (and not the old).
      expect(output).toMatch(new RegExp(`Reconnected to workstation gpu after \\d+ s\\. Your public IP changed: admitted ${CAFE_IP}/32 on ssh and revoked CloudRig's rule for ${HOME_IP}/32\\.`));
      expect(await sshRanges()).toEqual([`${CAFE_IP}/32`]);
      expect(tunnel.exitCode).toBeNull();
    });
  }, 180_000);

  it('reconnects to the address the workstation answers at now, when it moved while away', async () => {
    const moved = await startTcpRelay(world.sshd.port);
    try {
      await withTunnel(async (local, tunnel) => {
        // While the laptop sleeps the workstation comes to answer elsewhere (as a stopped and started
        // instance gets a new public IP), and the old address never answers again.
        const edit = await world.rig(['init', '--name', 'gpu', '--ssh-port', String(moved.port)]);
        expect(edit.code, edit.stderr).toBe(0);
        relay.cut();
        await waitUntil('the tunnel to reconnect', () => count(tunnel.output(), BACK) > 0);

        expect(moved.carried()).toBeGreaterThan(0);
        expect(await through(local)).toBe('from the box');
        expect(count(tunnel.output(), LOST), tunnel.output()).toBe(1);
      });
    } finally {
      await moved.close();
    }
  }, 180_000);

  it('meeting another host key on the way back stops reconnecting and ends with the pin error', async () => {
    await withTunnel(async (local, tunnel) => {
      relay.cut();
      await waitUntil('the tunnel to say the connection is lost', () => tunnel.output().includes(LOST));
      // Whoever answers at the address when the network is back has another host key.
      await world.sshd.rotateHostKey();
      relay.restore();
      const code = await exitOf(tunnel);

      const output = tunnel.output();
      // The command ended with the pin's error: nothing is left to try again, and the port is closed.
      expect(code, output).toBe(1);
      expect(output).toMatch(/error: The ssh host key at 127\.0\.0\.1:\d+ is not the one this session to workstation gpu \(instance i-[0-9a-f]+\) connected with; CloudRig refused to reconnect, and nothing was sent to that host\./);
      expect(count(output, BACK), output).toBe(0);
      expect(await through(local).then(() => 'carried', () => 'refused')).toBe('refused');
    });
  }, 180_000);
});

describe('rig push --watch', () => {
  it('pushes an edit made while the network was away once the connection is back', async () => {
    const local = join(scratch, 'project');
    const remote = join(scratch, 'on-the-box', 'project');
    await mkdir(local, { recursive: true });
    await writeFile(join(local, 'train.py'), 'print("v1")\n');
    const watch = world.spawnRig(['push', '--watch', local, remote]);
    try {
      await waitUntil('the watch to start', () => watch.output().includes('Watching'));
      relay.cut();
      await waitUntil('the watch to say the connection is lost', () => watch.output().includes(LOST));
      const refused = relay.refused();
      await writeFile(join(local, 'train.py'), 'print("v2, written while away")\n');
      // Its push is tried while the network is away (and refused).
      await waitUntil('a connection refused after the edit', () => relay.refused() > refused);
      relay.restore();
      await waitUntil('the edit to reach the box', async () => (await readFile(join(remote, 'train.py'), 'utf8')) === 'print("v2, written while away")\n');
      // The push may reconnect first (on its own use); the line follows at the next attempt.
      await waitUntil('the watch to say it reconnected', () => count(watch.output(), BACK) > 0);

      const output = watch.output();
      expect(count(output, LOST), output).toBe(1);
      expect(count(output, BACK), output).toBe(1);
      expect(warnings(output), output).toBe(0);
      expect(watch.exitCode).toBeNull();
    } finally {
      if (watch.exitCode === null) watch.kill('SIGKILL');
    }
  }, 180_000);
});

describe('rig stats --watch', () => {
  it('reads again as soon as the connection is back, without waiting out its interval', async () => {
    // An hour between readings: only the reconnect explains a second one within the test.
    const stats = world.spawnRig(['stats', '--json', '--watch', '--interval', '3600']);
    const readings = (): number => stats.output().split('\n').filter((line) => line.startsWith('{"workstation":"gpu"')).length;
    try {
      await waitUntil('a first reading', () => readings() === 1);
      relay.cut();
      await waitUntil('stats to say the connection is lost', () => stats.output().includes(LOST));
      relay.restore();
      await waitUntil('a reading after the reconnect', () => readings() === 2);
      await waitUntil('stats to say it reconnected', () => count(stats.output(), BACK) > 0);

      const output = stats.output();
      expect(count(output, LOST), output).toBe(1);
      expect(count(output, BACK), output).toBe(1);
      expect(warnings(output), output).toBe(0);
      // The lines go to stderr: stdout stays one JSON object per reading.
      expect(output.split('\n').filter((line) => line.startsWith('{')).every((line) => JSON.parse(line) !== null)).toBe(true);
    } finally {
      if (stats.exitCode === null) stats.kill('SIGKILL');
    }
  }, 180_000);
});

describe('the app', () => {
  let app: AppSession | null = null;
  let stubs: RemoteStubs | null = null;
  afterEach(async () => {
    await app?.dispose();
    app = null;
    await stubs?.close();
    stubs = null;
  });

  /**
   * The app on a box with a T4 (a stub nvidia-smi: each reading adds a point to the panel's chart),
   * its readings an hour apart, so a second one within a test comes only from a reconnect.
   */
  async function appWithGpuPanel(): Promise<{ app: AppSession; handlers: ReturnType<typeof ipcHandlers> }> {
    stubs = await remoteStubs();
    await stubs.nvidiaSmiPrints(join(import.meta.dirname, '..', 'fixtures', 'nvidia-smi', 'g4dn-xlarge-1-gpu.csv'));
    const pem = await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8');
    await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKeyFromPrivate(pem)));
    app = new AppSession({ ...testSessionPorts(world), statsIntervalMs: 3_600_000 });
    app.start();
    return { app, handlers: ipcHandlers(app, async () => undefined) };
  }

  it('shows the GPU panel reconnecting in one line, then reading again at once, and its tunnel carries again', async () => {
    const { handlers } = await appWithGpuPanel();
    const view = async (): Promise<AppView> => (await handlers['view:get'](undefined)) as AppView;
    const panel = async (): Promise<GpuPanelView | null> => (await view()).connect?.gpu ?? null;
    await waitUntil('the workstation to be ready', async () => (await view()).workstation?.phase === 'ready', 120_000);
    await waitUntil('a first reading in the GPU panel', async () => (await panel())?.history.length === 1);
    const box = await boxServer();
    const local = await freePort();
    try {
      await handlers['tunnel:open']({ localPort: local, remotePort: box.port });
      expect(await through(local)).toBe('from the box');

      const errors: (string | null)[] = [];
      const look = async (): Promise<GpuPanelView | null> => {
        const now = await panel();
        errors.push(now?.error ?? null);
        return now;
      };
      relay.cut();
      await waitUntil('the panel to say the connection is lost', async () => (await look())?.error === LOST);
      relay.restore();
      await waitUntil('the panel to read again', async () => (await look())?.history.length === 2);

      // One line while away, never a failed reading's error in its place, and none once back.
      expect([...new Set(errors.filter((error) => error !== null))]).toEqual([LOST]);
      expect((await panel())?.error).toBeNull();
      expect((await view()).workstation?.phase).toBe('ready');
      expect(await through(local)).toBe('from the box');
    } finally {
      box.server.close();
    }
  }, 240_000);

  it('after the laptop wakes, drops a connection that died without a word and reads again at once, rather than when the keepalive gives up', async () => {
    const { app: woken, handlers } = await appWithGpuPanel();
    const panel = async (): Promise<GpuPanelView | null> => ((await handlers['view:get'](undefined)) as AppView).connect?.gpu ?? null;
    await waitUntil('a first reading in the GPU panel', async () => (await panel())?.history.length === 1, 120_000);

    // Asleep: the panel's connection carries nothing any more and nobody closes it.
    relay.freeze();
    woken.afterWake();
    // The keepalive would take three 15 s intervals to notice; the check on waking takes seconds.
    await waitUntil('the panel to say the connection is lost', async () => (await panel())?.error === LOST, 20_000);
    await waitUntil('the panel to read again', async () => (await panel())?.history.length === 2, 20_000);
    expect((await panel())?.error).toBeNull();
  }, 120_000);
});
