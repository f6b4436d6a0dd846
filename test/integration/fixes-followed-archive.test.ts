import { DeregisterImageCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { followed, fixCommand } from '../support/followed-fix.js';
import { launchedBox } from '../support/launched-box.js';
import { useRigWorld } from '../support/rig-harness.js';

// The fixes of an archived workstation followed exactly as printed: the first runnable `rig …`
// command of the error line is run, then the failed command again, which now gets further. Against
// moto + the cloud proxy, through the CLI.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300, shuttingDownMs: 300 }, eachTest: { init: true } });

async function live() {
  return (await world.instances()).filter((i) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
}

describe('a fix followed as printed gets the command further (an archived workstation)', () => {
  it(followed('ArchiveImageGone', 'the archive image deleted since: rig up launches nothing, the printed archive --forget makes rig up launch from the workstation\'s own image'), async () => {
    await launchedBox(world, 'stopped');
    const archive = await world.rig(['archive', '--json']);
    expect(archive.code, archive.stderr).toBe(0);
    const { imageId } = JSON.parse(archive.stdout) as { imageId: string };
    const ec2 = world.ec2();
    await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
    ec2.destroy();
    world.cloud.proxy.resetCounts();

    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`gpu was archived to ${imageId}, which no longer exists in us-east-1; nothing was launched.`);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
    const fix = fixCommand(up.stderr);
    expect(fix).toEqual(['archive', 'gpu', '--forget']);

    const forget = await world.rig(fix);
    expect(forget.code, forget.stderr).toBe(0);
    expect(forget.stdout).toContain(`gpu is no longer archived to ${imageId}`);
    const again = await world.rig(['up', '--no-wait-ssh']);
    expect(again.code, again.stderr).toBe(0);
    expect((await live()).map((i) => i.ImageId)).not.toContain(imageId);
  });
});
