import { DescribeInstancesCommand, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { awsClients } from '../../src/adapters/aws/client-registry.js';
import { AwsCloud } from '../../src/adapters/aws/aws-cloud.js';
import { createCore } from '../../src/adapters/compose.js';
import { ElsewhereWatch } from '../../src/core/app/elsewhere.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

describe('one AWS client registry per access', () => {
  it('gives the same client for the same service and region, another for another region or service', async () => {
    const access = { profile: null, env: process.env };
    const clients = awsClients(access);
    expect(awsClients(access)).toBe(clients);
    expect(clients.ec2('us-east-1')).toBe(clients.ec2('us-east-1'));
    expect(clients.ec2('us-west-2')).not.toBe(clients.ec2('us-east-1'));
    expect(clients.ec2Once('us-east-1')).not.toBe(clients.ec2('us-east-1'));
    expect(await clients.ssm('us-east-1')).toBe(await clients.ssm('us-east-1'));
    expect(await clients.quotas('eu-west-1')).toBe(await clients.quotas('eu-west-1'));
    expect(await clients.sts('us-east-1')).toBe(await clients.sts('us-east-1'));
    expect(await clients.pricing('us-east-1')).toBe(await clients.pricing('us-east-1'));
    expect(await clients.ec2Once('us-east-1').config.maxAttempts()).toBe(1);
    clients.destroy();
    expect(clients.ec2('us-east-1')).toBe(clients.ec2('us-east-1'));
  });

  it('shares the cloud\'s EC2 clients with every other adapter of the same access, and keeps another access apart', () => {
    const access = { profile: null, env: process.env };
    const cloud = new AwsCloud(access);
    expect(cloud.client('eu-west-1')).toBe(awsClients(access).ec2('eu-west-1'));
    expect(awsClients({ profile: null, env: process.env }).ec2('eu-west-1')).not.toBe(cloud.client('eu-west-1'));
  });
});

describe('idle clients', () => {
  const world = useRigWorld({ eachTest: { init: false } });

  it('are closed and forgotten, while the client a request is waiting on is kept, and a forgotten client still answers whoever holds it', async () => {
    const clients = awsClients({ profile: null, env: world.env });
    const idle = clients.ec2('eu-west-1');
    await idle.send(new DescribeInstancesCommand({}));
    const busy = clients.ec2('us-east-1');
    world.cloud.proxy.setLatency(1_000, 'DescribeRegions');
    const waiting = busy.send(new DescribeRegionsCommand({}));
    await waitUntil('the request reached AWS', () => (world.cloud.proxy.counts().DescribeRegions ?? 0) > 0);
    clients.forgetIdle();
    expect(clients.ec2('us-east-1'), 'a request is under way on it').toBe(busy);
    expect(clients.ec2('eu-west-1'), 'made again').not.toBe(idle);
    expect((await waiting).Regions?.length).toBeGreaterThan(0);
    expect((await idle.send(new DescribeInstancesCommand({}))).$metadata.httpStatusCode).toBe(200);
    clients.forgetIdle();
    expect(clients.ec2('us-east-1'), 'answered, so idle').not.toBe(busy);
    clients.destroy();
  });

  it('include one whose request failed: a fault from AWS does not leave it counted as busy', async () => {
    const clients = awsClients({ profile: null, env: world.env });
    const failing = clients.ec2('us-west-2');
    world.cloud.proxy.inject({ action: 'DescribeRegions', kind: 'error', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.', status: 403, times: Infinity });
    await expect(failing.send(new DescribeRegionsCommand({}))).rejects.toThrow(/not authorized/);
    clients.forgetIdle();
    expect(clients.ec2('us-west-2'), 'made again').not.toBe(failing);
    clients.destroy();
  });

  it('of every region are closed once the app\'s account sweep is over', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const core = createCore({ home: world.home, env: world.env });
    const watch = new ElsewhereWatch(core, { notifier: { show: () => undefined }, changed: () => undefined, log: () => undefined });
    watch.start();
    await watch.settled();
    expect(watch.view()?.idle, 'the sweep answered').toBeTruthy();
    expect(awsClients(core.access).kept(), 'no region\'s client left open').toEqual([]);
    await watch.dispose();
  });
});
