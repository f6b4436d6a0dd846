import { readFile } from 'node:fs/promises';
import { DescribeInstancesCommand, type EC2Client, RunInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ForgottenWatch } from '../../src/core/app/forgotten-watch.js';
import { FileForgottenStore } from '../../src/adapters/store/forgotten-store.js';
import { DLAMI_IMAGE_ID } from '../fixtures/cloud.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: true } });
const THIRD = 'ap-southeast-2';

/** An untagged instance started with the SDK, as `aws ec2 run-instances` would. */
async function launchByHand(ec2: EC2Client): Promise<string> {
  const run = await ec2.send(new RunInstancesCommand({ ImageId: DLAMI_IMAGE_ID, InstanceType: 'g4dn.xlarge', MinCount: 1, MaxCount: 1 }));
  return run.Instances![0]!.InstanceId!;
}

async function stateOf(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

describe('the forgotten-instance watch', () => {
  it('reports an instance CloudRig did not start in a third region once, never touches it, and is silenced for good by dismiss', async () => {
    // Two workstations of CloudRig's in two regions, one running: neither is "forgotten".
    expect((await world.rig(['init', '--name', 'west', ...initArgs(world).slice(1).map((a) => (a === 'us-east-1' ? 'eu-west-1' : a))])).code).toBe(0);
    expect((await world.rig(['up', 'gpu', '--no-wait-ssh'])).code).toBe(0);
    world.cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: THIRD, usd: 0.71 })]);
    const ec2 = world.ec2(THIRD);
    const foreignId = await launchByHand(ec2);

    const core = world.core();
    const store = new FileForgottenStore(world.home);
    const makeWatch = () => new ForgottenWatch({ scan: () => core.cloud.scan(), prices: core.prices, store, clock: core.clock });
    const watch = makeWatch();
    world.cloud.proxy.resetCounts();

    const first = (await watch.scanNow())!;
    expect(first.instances.map((i) => [i.instanceId, i.region, i.instanceType])).toEqual([[foreignId, THIRD, 'g4dn.xlarge']]);
    expect(first.notices).toHaveLength(1);
    const [notice] = first.notices;
    expect(notice!.body).toMatch(new RegExp(`^g4dn\\.xlarge in ${THIRD} \\(${foreignId}\\), up \\d+m, \\$0\\.71/h\\. CloudRig leaves it alone\\.$`));
    expect(notice!.actions.map((a) => a.label)).toEqual(['Show in AWS console', "Don't tell me about this one again"]);
    expect(notice!.consoleUrl).toBe(`https://${THIRD}.console.aws.amazon.com/ec2/home?region=${THIRD}#InstanceDetails:instanceId=${foreignId}`);

    // One scan's API calls: one DescribeRegions and one DescribeInstances per region (docs/benchmarks.md).
    const counts = world.cloud.proxy.counts();
    const ec2Calls = (counts.DescribeRegions ?? 0) + (counts.DescribeInstances ?? 0);
    console.log(`forgotten-instance scan: DescribeRegions ${counts.DescribeRegions}, DescribeInstances ${counts.DescribeInstances}, EC2 calls ${ec2Calls}`);
    expect(counts.DescribeRegions).toBe(1);
    // Each of moto's 38 regions asked; a loaded machine may add an SDK retry, so regions are counted, not calls.
    const regionsAsked = Object.keys(world.cloud.proxy.countsByRegion()).filter((key) => key.startsWith('DescribeInstances@'));
    expect(regionsAsked).toHaveLength(38);

    // At most hourly: a second look within the hour does not scan.
    expect(await watch.scanNow()).toBeNull();
    // Reported once: a forced scan, or the app started again, lists it but does not notify.
    const again = (await watch.scanNow({ force: true }))!;
    expect(again.instances.map((i) => i.instanceId)).toEqual([foreignId]);
    expect(again.notices).toEqual([]);
    expect((await makeWatch().scanNow())!.notices).toEqual([]);

    // Never touched: the watch only reads.
    expect(await stateOf(ec2, foreignId)).toBe('running');
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().TerminateInstances ?? 0).toBe(0);

    // Stopped and started again by its owner, an instance not dismissed is news again; a dismissed one never is.
    const other = await launchByHand(ec2);
    expect((await makeWatch().scanNow())!.notices.map((n) => n.instanceId)).toEqual([other]);
    await watch.dismiss(foreignId);
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toMatchObject({ dismissed: [foreignId] });
    await ec2.send(new StopInstancesCommand({ InstanceIds: [foreignId, other] }));
    expect((await makeWatch().scanNow())!.instances).toEqual([]);
    await ec2.send(new StartInstancesCommand({ InstanceIds: [foreignId, other] }));
    const after = (await makeWatch().scanNow())!;
    expect(after.notices.map((n) => n.instanceId)).toEqual([other]);
    expect(after.instances.find((i) => i.instanceId === foreignId)?.dismissed).toBe(true);
    ec2.destroy();
  });
});
