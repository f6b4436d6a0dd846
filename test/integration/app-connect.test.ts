import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppSession } from '../../src/core/app/app-session.js';
import type { BurstEnd } from '../../src/core/app/shell-ports.js';
import type { AppView } from '../../src/shared/views.js';
import { freePort } from '../fixtures/free-port.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { appOn, useApps, type AppHarness } from '../support/app-harness.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// The app must reach a ready workstation as `rig` does: the tray app's controller in this process,
// against moto + a real sshd with stub nvidia-smi and jupyter on the box's PATH. While the
// workstation is ready the GPU panel fills from the kept-alive session; "Open Jupyter" forwards the
// server and hands its URL to the shell's openExternal; the tunnel carries a request; Stop closes
// it.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'nvidia-smi');
/** The "instance" side's loopback address: nothing of CloudRig's listens there, sshd reaches it. */
const BOX_ADDRESS = '127.0.0.2';

const world = useRigWorld({ eachTest: { init: false } });
let stubs: RemoteStubs;
const start = useApps();

beforeAll(async () => {
  stubs = await remoteStubs();
});

afterAll(async () => {
  await stubs?.close();
});


/** Starts the app on a running workstation whose sshd runs the stubs. */
async function readyApp(): Promise<AppHarness> {
  expect((await world.rig(initArgs(world))).code).toBe(0);
  const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
  return start(appOn(world));
}

/** The view's connect section; a test waits for it before reading it (the first snapshot brings it). */
const connectOf = (session: AppSession): Partial<NonNullable<AppView['connect']>> => session.view().connect ?? {};

async function boxServer(answer: (url: string) => string): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => response.end(answer(request.url ?? '')));
  const port = await freePort(BOX_ADDRESS);
  await new Promise<void>((resolve) => server.listen(port, BOX_ADDRESS, resolve));
  return { server, port };
}

describe('the app reaches a ready workstation', () => {
  it('fills the GPU panel from nvidia-smi over the kept-alive session, and the tooltip gets a GPU line', async () => {
    await stubs.nvidiaSmiPrints(join(FIXTURES, 'g4dn-xlarge-1-gpu.csv'));
    const { session } = await readyApp();
    await waitUntil('a GPU reading', () => (connectOf(session).gpu?.gpus?.length ?? 0) > 0);
    const connect = connectOf(session);
    expect(connect.gpu?.gpus?.[0]).toMatchObject({ utilizationPercent: 0, memoryUsedMiB: 0, memoryTotalMiB: 15_360, temperatureC: 27, powerW: 13.96 });
    expect(connect.gpu?.history).toEqual([0]);
    expect(connect.gpuLine).toBe('GPU 0% · 0.0 / 15 GiB · 27 °C');
    expect(session.tray().tooltip).toContain('GPU 0% · 0.0 / 15 GiB · 27 °C');
    expect(connect.hostKey).toMatch(/^(verified|unverified)$/);
  });

  it('gives memory back once each burst is over: after the account sweep and the first GPU reading at start, after each later sweep, never for a later reading', async () => {
    await stubs.nvidiaSmiPrints(join(FIXTURES, 'g4dn-xlarge-1-gpu.csv'));
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
    await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
    expect((await world.rig(['up'])).code).toBe(0);
    const released: BurstEnd[] = [];
    const { session } = start(appOn(world, { memory: { releaseColdCode: (after) => void released.push(after) }, statsIntervalMs: 200 }));
    await session.elsewhereSettled();
    expect(released, 'the sweep at start, answered').toContain('account-sweep');
    await waitUntil('three GPU readings', () => (connectOf(session).gpu?.history?.length ?? 0) >= 3);
    expect(released.filter((after) => after === 'first-gpu-reading'), 'the first reading only').toHaveLength(1);
    expect(released.filter((after) => after === 'account-sweep')).toHaveLength(1);
    await session.scanElsewhere();
    expect(released.filter((after) => after === 'account-sweep'), 'the next sweep').toHaveLength(2);
    expect(released).toHaveLength(3);
  });

  it('gives memory back after a sweep that failed as after one that answered', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    // The instance scan's region list answers; the account sweep's, asked next, does not.
    world.cloud.proxy.inject({ action: 'DescribeRegions', kind: 'expired-credentials', after: 1, times: Infinity });
    const released: BurstEnd[] = [];
    const { session } = start(appOn(world, { memory: { releaseColdCode: (after) => void released.push(after) } }));
    await session.elsewhereSettled();
    expect(session.view().elsewhere?.idle ?? null, 'the sweep did not answer').toBeNull();
    expect(released).toEqual(['account-sweep']);
  });

  it('says plainly when the box has no nvidia-smi', async () => {
    await stubs.clear();
    const { session } = await readyApp();
    await waitUntil('a reading without GPUs', () => connectOf(session).gpu?.note != null);
    expect(connectOf(session).gpu).toMatchObject({ gpus: null, note: expect.stringMatching(/^No nvidia-smi on the workstation/) });
  });

  it('Open Jupyter forwards the running server, opens its URL, carries a request, and Stop closes the tunnel', async () => {
    const box = await boxServer((url) => (url.includes('token=s3cret') ? 'jupyter lab' : 'login needed'));
    try {
      await stubs.jupyterLists([JSON.stringify({ hostname: BOX_ADDRESS, port: box.port, token: 's3cret', url: `http://${BOX_ADDRESS}:${box.port}/`, base_url: '/' })]);
      const { session, record } = await readyApp();
      await waitUntil('the workstation to be ready', () => session.view().connect !== undefined && session.view().workstation?.phase === 'ready');
      const tunnel = await session.openJupyter();
      expect(tunnel.url).toBe(`http://127.0.0.1:${box.port}/?token=s3cret`);
      expect(record.opened).toEqual([tunnel.url]);
      expect(connectOf(session).tunnels).toEqual([tunnel]);
      expect(await (await fetch(tunnel.url)).text()).toBe('jupyter lab');

      session.stopWorkstation();
      await waitUntil('the tunnel to close', () => connectOf(session).tunnels?.length === 0);
      await expect(fetch(tunnel.url)).rejects.toThrow();
      await session.settled();
    } finally {
      box.server.close();
    }
  });

  it('Open in VS Code without the ssh config include says how to install it', async () => {
    const { session, record } = await readyApp();
    await waitUntil('the workstation to be ready', () => session.view().workstation?.phase === 'ready');
    await expect(session.openInVsCode()).rejects.toMatchObject({ code: 'SshConfigNotIncluded' });
    expect(record.opened).toEqual([]);
    expect(connectOf(session).sshAlias).toBeNull();
  });
});
