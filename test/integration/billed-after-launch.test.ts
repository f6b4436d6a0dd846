import { describe, expect, it } from 'vitest';
import { fixCommand } from '../support/followed-fix.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// A failure after a launch says what is billed and how to stop it (or go on), on each path that
// did not already: here, a resize that stopped the instance and then could not change its type.
// Through the CLI against moto + the cloud proxy.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

describe('failures after a launch say what is billed', () => {
  it('a resize whose type change AWS refused, after it stopped the instance: says only the disk is billed, and the printed rig up starts it as it was', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const { instanceId } = await world.statusJson();
    world.cloud.proxy.inject({ action: 'ModifyInstanceAttribute', kind: 'error', code: 'InvalidParameterCombination', message: 'The instance type is not supported in this Availability Zone.' });

    const resize = await world.rig(['resize', 'gpu', 'g4dn.2xlarge', '--yes']);
    expect(resize.code).toBe(1);
    expect(resize.stderr).toMatch(new RegExp(`^error: AWS did not change ${instanceId as string} to g4dn\\.2xlarge: .* It is still a g4dn\\.xlarge, stopped: only its disk is billed; the spec is unchanged\\. Fix: .*Start it with \`rig up gpu\`\\.$`, 'm'));

    await world.trustWorkstationKey();
    const up = await world.rig(fixCommand(resize.stderr));
    expect(up.code, up.stderr).toBe(0);
    expect(await world.statusJson()).toMatchObject({ instanceId, state: 'running', instanceType: 'g4dn.xlarge' });
  });
});
