import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DLAMI_IMAGE_ID, startCloud, type Cloud } from '../fixtures/cloud.js';

/** The sharing scheme of test/fixtures/shared-moto.ts: a slot's moto is reused by files, never shared by two at once. */

const opened: Cloud[] = [];

async function cloud(): Promise<Cloud> {
  const started = await startCloud();
  opened.push(started);
  return started;
}

function ec2(of: Cloud): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    endpoint: of.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

async function instanceIds(of: Cloud): Promise<string[]> {
  const client = ec2(of);
  const answer = await client.send(new DescribeInstancesCommand({}));
  client.destroy();
  return (answer.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
}

async function launch(of: Cloud): Promise<string> {
  const client = ec2(of);
  const answer = await client.send(new RunInstancesCommand({ ImageId: DLAMI_IMAGE_ID, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }));
  client.destroy();
  return answer.Instances?.[0]?.InstanceId ?? '';
}

afterEach(async () => {
  for (const started of opened.splice(0)) await started.close();
});

describe('the moto a test file leases', () => {
  it("is its worker slot's shared moto, and the next lease sees nothing the last one made", async () => {
    const first = await cloud();
    expect(first.moto.url).toBe(inject('cloudrig:sharedMotoUrls')[Number(process.env.VITEST_POOL_ID) - 1]);
    expect(await launch(first)).toMatch(/^i-/);
    expect(await instanceIds(first)).toHaveLength(1);
    await first.close();

    const next = await cloud();
    expect(next.moto.url).toBe(first.moto.url);
    expect(await instanceIds(next)).toEqual([]);
  });

  it('is a moto of its own for a second cloud while the first is held, so the two never see each other', async () => {
    const held = await cloud();
    const second = await cloud();
    expect(second.moto.url).not.toBe(held.moto.url);
    const mine = await launch(second);
    expect(await instanceIds(second)).toEqual([mine]);
    expect(await instanceIds(held)).toEqual([]);
  });
});
