import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/free-port.js';
import { onInstanceLaunch, seededPrivateKeyOf } from '../fixtures/instance-boot.js';
import { followed, fixCommand } from '../support/followed-fix.js';
import { readyWorkstation, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Each error's `Fix:` followed exactly as printed, for a kept-alive session (`rig tunnel`) whose
// box changed under it: the instance replaced, or another host key at its address. The session
// ends with one line; the printed `rig status` shows what runs now, and a new tunnel then gets
// through to the workstation's current instance. Against moto + the cloud proxy + sshd (one sshd
// at one address for every instance, as a recycled public IP or an --ssh-host set-up), through the CLI.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

/** The host key the last launch seeded (what its instance presents once cloud-init ran). */
let seeded: string | null = null;
const unfollow = onInstanceLaunch(async (userData) => {
  seeded = seededPrivateKeyOf(userData) ?? seeded;
});
afterAll(() => unfollow());

function ok(result: RigResult): RigResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** An HTTP server on the box. */
async function boxServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => response.end('from the box'));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

/** `rig tunnel LOCAL:PORT` until it ends; resolves once it listens. */
async function tunnelTo(port: number): Promise<{ local: number; tunnel: ReturnType<typeof world.spawnRig>; exited: Promise<number | null> }> {
  const local = await freePort();
  const tunnel = world.spawnRig(['tunnel', `${local}:${port}`]);
  const exited = new Promise<number | null>((resolve) => tunnel.once('close', resolve));
  await waitUntil('the tunnel to listen', () => tunnel.output().includes('Press Ctrl-C'));
  expect(await (await fetch(`http://127.0.0.1:${local}/`)).text()).toBe('from the box');
  return { local, tunnel, exited };
}

/** A new `rig tunnel` carries a request to the box, and closes on Ctrl-C. */
async function tunnelGetsThrough(port: number): Promise<void> {
  const fresh = await tunnelTo(port);
  fresh.tunnel.kill('SIGINT');
  expect(await fresh.exited).toBe(0);
}

/** The error line a session ended with. */
function errorLine(output: string): string {
  return output.split('\n').find((line) => line.startsWith('error: ')) ?? '';
}

describe('a fix followed as printed gets the command further (a session whose box changed)', () => {
  it(followed('SessionEnded', 'the instance terminated under a running tunnel: the printed rig status shows it gone, and a new tunnel reaches the instance that replaces it'), async () => {
    await readyWorkstation(world);
    const first = String((await world.statusJson()).instanceId);
    const box = await boxServer();
    const old = await tunnelTo(box.port);
    try {
      // Terminated (its pin dropped): its connections end with it, and a stranger answers at the address.
      ok(await world.rig(['down', '--yes']));
      await world.sshd.rotateHostKey();
      expect(await old.exited, old.tunnel.output()).toBe(1);
      const line = errorLine(old.tunnel.output());
      expect(line).toMatch(new RegExp(`^error: Workstation gpu's instance ${first} was terminated; the tunnels closed\\. Fix: `));
      const fix = fixCommand(line);
      expect(fix).toEqual(['status', 'gpu']);
      expect(ok(await world.rig(fix)).stdout).toMatch(/no instance|absent/i);

      // A new instance replaces it (its seeded key is what answers now): a new tunnel reaches it.
      ok(await world.rig(['up']));
      expect((await world.statusJson()).instanceId).not.toBe(first);
      await tunnelGetsThrough(box.port);
    } finally {
      old.tunnel.kill('SIGKILL');
      box.server.close();
    }
  });

  it(followed('HostKeyMismatch', 'another host key at the address under a running tunnel: the printed rig status says the key is not the pinned one, and once the box presents its own key a new tunnel gets through'), async () => {
    await readyWorkstation(world);
    const ownKey = seeded;
    expect(ownKey).not.toBeNull();
    const box = await boxServer();
    const old = await tunnelTo(box.port);
    try {
      // A stranger at the address (the box's own key is not what answers there now).
      await world.sshd.rotateHostKey();
      expect(await old.exited, old.tunnel.output()).toBe(1);
      const line = errorLine(old.tunnel.output());
      expect(line).toMatch(/^error: The ssh host key at 127\.0\.0\.1:\d+ is not the one this session to workstation gpu .* connected with; CloudRig refused to reconnect/);
      const fix = fixCommand(line);
      expect(fix).toEqual(['status', 'gpu']);
      const status = await world.rig(fix);
      expect(`${status.stdout}${status.stderr}`).toMatch(/host key/i);

      // The box back with its own key: a new command checks it against the pin and gets through.
      await world.sshd.useHostKey(ownKey!);
      await tunnelGetsThrough(box.port);
    } finally {
      old.tunnel.kill('SIGKILL');
      box.server.close();
    }
  });
});
