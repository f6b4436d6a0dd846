import { expect } from 'vitest';
import type { RigWorld } from './rig-harness.js';

/**
 * `rig up --no-wait-ssh` (then `rig stop` for a stopped box) on the world's workstation gpu; the
 * proxy's counts start afresh after it. Returns the instance's id.
 */
export async function launchedBox(world: RigWorld, state: 'running' | 'stopped'): Promise<string> {
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  if (state === 'stopped') {
    const stop = await world.rig(['stop']);
    expect(stop.code, stop.stderr).toBe(0);
  }
  world.cloud.proxy.resetCounts();
  const live = (await world.instances()).filter((i) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
  expect(live).toHaveLength(1);
  return live[0]!.InstanceId!;
}
