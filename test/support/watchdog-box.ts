import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import type { Machine } from '../fixtures/watchdog-machine.js';
import { initArgs, type RigWorld } from './rig-harness.js';

/**
 * `rig init` and `rig up` of workstation gpu on the world's sshd, whose commands for the
 * workstation's key run with `machine`'s run directory (CLOUDRIG_RUN_DIR): what the watchdog's
 * check writes on that scratch machine is what CloudRig reads back over ssh.
 */
export async function readyOnMachine(world: RigWorld, machine: Machine): Promise<void> {
  expect((await world.rig(initArgs(world))).code).toBe(0);
  const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  const session = `CLOUDRIG_RUN_DIR='${machine.runDir}'; export CLOUDRIG_RUN_DIR; eval \\"$SSH_ORIGINAL_COMMAND\\"`;
  await world.sshd.setAuthorizedKey(`command="${session}" ${publicKey}`);
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
}
