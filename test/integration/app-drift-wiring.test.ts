import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCore, resolveHome, systemTerminal } from '../../src/adapters/compose.js';
import type { Shell } from '../../src/main/app-shell.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The workstation's firewall admits only the laptop's public address, which changes after sleep or
// a new network, so the app must follow it as `rig` does. The Electron shell (electron replaced by
// the module double; test/support/electron-double.ts) follows the laptop's public address when the
// machine resumes and when the network comes back. Everything behind the double is real: the
// session, the core, the AWS adapters against moto + the cloud proxy, whose /checkip is the
// public-IP lookup. The test breaks when the wiring in src/main/app-shell.ts does.
const electron = await vi.hoisted(async () => (await import('../support/electron-double.js')).createElectronDouble());

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

/** How often the shell asks whether the network came back (ONLINE_POLL_MS in wake-watch.ts). */
const ONLINE_POLL_MS = 15_000;

const world = useRigWorld({ eachTest: { init: false } });
let ec2: EC2Client;
let shell: Shell | null = null;
let appData: string;

beforeEach(async () => {
  ec2 = world.ec2();
  appData = await mkdtemp(join(tmpdir(), 'cloudrig-appdata-'));
});

afterEach(async () => {
  vi.useRealTimers();
  await shell?.session.dispose();
  shell = null;
  ec2.destroy();
  await rm(appData, { recursive: true, force: true });
});

async function groupId(): Promise<string> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
  return out.SecurityGroups?.[0]?.GroupId ?? '';
}

/** The ssh rules of the workstation's group as moto holds them: range and description. */
async function sshRules(): Promise<{ cidr: string; description: string | null }[]> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
  return (out.SecurityGroups?.[0]?.IpPermissions ?? [])
    .filter((p) => p.FromPort === 22)
    .flatMap((p) => (p.IpRanges ?? []).map((r) => ({ cidr: r.CidrIp ?? '', description: r.Description ?? null })))
    .sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** Every notice the shell pushed to the popover, in order. */
function notices(): string[] {
  const sent = electron.windows[0]?.webContents.sent ?? [];
  return sent.filter(([channel]) => channel === 'view:changed').map(([, view]) => (view as { notice: string | null }).notice ?? '').filter((notice) => notice !== '');
}

/** The shell's handler for a powerMonitor event, as Electron would call it. */
function emitPowerMonitor(event: string): void {
  const calls = electron.module.powerMonitor.on.mock.calls as unknown as Array<[string, () => void]>;
  const handlers = calls.filter(([name]) => name === event).map(([, handler]) => handler);
  if (handlers.length === 0) throw new Error(`the shell does not listen for powerMonitor '${event}'`);
  for (const handler of handlers) handler();
}

/** A workstation with a running instance, rules by hand beside CloudRig's, and the app booted on it. */
async function bootOnRunningWorkstation(): Promise<Shell> {
  world.cloud.proxy.setMyIp('203.0.113.7');
  expect((await world.rig(initArgs(world))).code).toBe(0);
  const group = await groupId();
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: group,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '192.0.2.0/24', Description: 'office VPN' }, { CidrIp: '198.51.100.200/32' }] }],
  }));
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);

  // Only the shell's online poll runs on fake time; everything else (polls, ssh, AWS) on real time.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const { boot } = await import('../../src/main/app-shell.js');
  electron.reset('win32', { appData });
  const env = { ...world.env, CLOUDRIG_HOME: world.home };
  const booted = await boot({ createCore, resolveHome, terminal: systemTerminal }, { platform: 'win32', env, now: () => 0 });
  if (!booted) throw new Error('boot() gave up the single-instance lock');
  await vi.waitFor(() => expect(booted.session.view().workstation?.phase).toMatch(/^(pending|running|ready)$/), { timeout: 60_000, interval: 50 });
  return booted;
}

describe('the app follows address drift (shell wiring)', () => {
  it('on resume from sleep: the new /32 admitted, the old CloudRig rule revoked, other rules untouched, and the popover says so', async () => {
    shell = await bootOnRunningWorkstation();
    world.cloud.proxy.setMyIp('198.51.100.9');
    emitPowerMonitor('resume');

    await vi.waitFor(async () => expect(await sshRules()).toEqual([
      { cidr: '192.0.2.0/24', description: 'office VPN' },
      { cidr: '198.51.100.200/32', description: null },
      { cidr: '198.51.100.9/32', description: 'CloudRig ssh' },
    ]), { timeout: 60_000, interval: 100 });
    await vi.waitFor(() => expect(notices()).toContain(
      "Your public IP changed: admitted 198.51.100.9/32 on ssh and revoked CloudRig's rule for 203.0.113.7/32. Left the rules for 192.0.2.0/24, 198.51.100.200/32 alone (not added by CloudRig).",
    ), { timeout: 30_000, interval: 50 });
  }, 240_000);

  it('when the network comes back: the same, from the online poll', async () => {
    shell = await bootOnRunningWorkstation();
    const net = electron.module.net as { isOnline: () => boolean };
    const isOnline = net.isOnline;
    try {
      // Offline for a poll, then online on another network with another address.
      net.isOnline = () => false;
      vi.advanceTimersByTime(ONLINE_POLL_MS);
      world.cloud.proxy.setMyIp('198.51.100.23');
      net.isOnline = () => true;
      vi.advanceTimersByTime(ONLINE_POLL_MS);
    } finally {
      net.isOnline = isOnline;
    }

    await vi.waitFor(async () => expect(await sshRules()).toEqual([
      { cidr: '192.0.2.0/24', description: 'office VPN' },
      { cidr: '198.51.100.200/32', description: null },
      { cidr: '198.51.100.23/32', description: 'CloudRig ssh' },
    ]), { timeout: 60_000, interval: 100 });
    await vi.waitFor(() => expect(notices()).toContain(
      "Your public IP changed: admitted 198.51.100.23/32 on ssh and revoked CloudRig's rule for 203.0.113.7/32. Left the rules for 192.0.2.0/24, 198.51.100.200/32 alone (not added by CloudRig).",
    ), { timeout: 30_000, interval: 50 });
  }, 240_000);
});
