import {
  CreateKeyPairCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DescribeInternetGatewaysCommand,
  DetachInternetGatewayCommand,
  DeleteInternetGatewayCommand,
  } from '@aws-sdk/client-ec2';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../fixtures/free-port.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: false } });

/** The single `error: … Fix: …` line a failed rig prints. */
function errorLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('error: '));
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

async function initialised(): Promise<void> {
  const init = await world.rig(initArgs(world));
  expect(init.code, init.stderr).toBe(0);
  world.cloud.proxy.resetCounts();
}

describe('AWS errors become a message and a fix', () => {
  it('VcpuLimitExceeded names the quota, the vCPUs needed and how to request them', async () => {
    await initialised();
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'VcpuLimitExceeded', message: 'You have requested more vCPU capacity than your current vCPU limit of 0 allows' });
    const up = await world.rig(['up', '--timeout', '30']);
    expect(up.code).toBe(1);
    expect(errorLine(up.stderr)).toMatch(/^error: Your account's vCPU quota for Running On-Demand G and VT instances in us-east-1 is too low to run a g4dn\.xlarge \(it needs 4 vCPUs\)\. Fix: Request at least 4 vCPUs .*L-DB2E81BA.*rig doctor --request-quota/);
    expect(await world.instances()).toHaveLength(0);
  });

  it('InsufficientInstanceCapacity, after every zone was tried, suggests waiting, a similar type, spot or another region', async () => {
    await initialised();
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g4dn.xlarge capacity', status: 500, times: Infinity });
    const up = await world.rig(['up', '--timeout', '30'], { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect(errorLine(up.stderr)).toMatch(/^error: AWS has no g4dn\.xlarge capacity in us-east-1 right now \(tried us-east-1a, .*\)\. Nothing was launched\. Fix: Try again in a few minutes, or choose: a similar GPU type, g4dn\.2xlarge \(the same NVIDIA T4; `rig init --name gpu --type g4dn\.2xlarge`\), the other market, spot \(`rig init --name gpu --spot`\), or another region\.$/);
    expect(await world.instances()).toHaveLength(0);
  });

  it('an AMI that does not exist (moto says InvalidAMIID.NotFound) says AMI ids differ per region', async () => {
    const init = await world.rig(initArgs(world, ['--ami', 'ami-0123456789abcdef0']));
    expect(init.code, init.stderr).toBe(0);
    const up = await world.rig(['up', '--timeout', '30']);
    expect(errorLine(up.stderr)).toMatch(/^error: The image ami-0123456789abcdef0 does not exist in us-east-1 or you may not use it \(InvalidAMIID\.\w+\)\. Fix: Check the AMI id for us-east-1/);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
  });

  it('UnauthorizedOperation is decoded with STS to say which action was denied', async () => {
    await initialised();
    world.cloud.proxy.setDecodedAuthorizationMessage('ENCODED123', { allowed: false, context: { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/*' } });
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation. Encoded authorization failure message: ENCODED123' });
    const up = await world.rig(['up', '--timeout', '30']);
    expect(errorLine(up.stderr)).toMatch(/^error: Your AWS identity is not allowed to do this in us-east-1\. It was denied ec2:RunInstances on arn:aws:ec2:us-east-1:123456789012:instance\/\*\. Fix: Ask your AWS administrator/);
    expect(world.cloud.proxy.counts().DecodeAuthorizationMessage).toBe(1);
  });

  it('missing credentials say how to configure them', async () => {
    const emptyHome = await mkdtemp(join(tmpdir(), 'no-aws-'));
    const init = await world.rig(initArgs(world), {
      env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', HOME: emptyHome, AWS_CONFIG_FILE: join(emptyHome, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(emptyHome, 'none') },
    });
    expect(init.code).toBe(1);
    expect(errorLine(init.stderr)).toMatch(/^error: No AWS credentials found\. Fix: Run `aws configure`/);
  });

  it('a profile that does not exist is named in the error', async () => {
    const emptyHome = await mkdtemp(join(tmpdir(), 'no-aws-'));
    const init = await world.rig(['--profile', 'nosuch', ...initArgs(world)], {
      env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', HOME: emptyHome, AWS_CONFIG_FILE: join(emptyHome, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(emptyHome, 'none') },
    });
    expect(errorLine(init.stderr)).toMatch(/^error: No AWS credentials found for profile "nosuch"\. Fix: /);
  });

  it('expired credentials say to refresh them', async () => {
    world.cloud.proxy.inject({ action: '*', kind: 'error', code: 'RequestExpired', message: 'Request has expired.', times: Infinity });
    const init = await world.rig(initArgs(world, ['--cidr', '203.0.113.7/32']));
    expect(errorLine(init.stderr)).toMatch(/^error: Your AWS credentials have expired\. Fix: Refresh them/);
  });

  it('a skewed clock\'s "Signature expired" says to set the clock, not that the keys are wrong', async () => {
    world.cloud.proxy.inject({ action: '*', kind: 'error', status: 403, code: 'SignatureDoesNotMatch', times: Infinity,
      message: 'Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z (20260101T001500Z - 5 min.)' });
    const init = await world.rig(initArgs(world, ['--cidr', '203.0.113.7/32']));
    expect(init.code).toBe(1);
    const line = errorLine(init.stderr);
    expect(line).toBe('error: AWS refused the request\'s time stamp: this computer\'s clock is off by more than AWS allows (SignatureDoesNotMatch: Signature expired: 20260101T000000Z is now earlier than 20260101T001000Z (20260101T001500Z - 5 min.)). Fix: Set this computer\'s clock to the right time and keep it synced (Linux: `sudo timedatectl set-ntp true`; macOS: System Settings → General → Date & Time → Set time automatically; Windows: `w32tm /resync`), then run the command again.');
    expect(line).not.toMatch(/access key|credentials/);
  });

  it('a clock running ahead ("Signature not yet current") gets the same fix', async () => {
    world.cloud.proxy.inject({ action: '*', kind: 'error', status: 403, code: 'SignatureDoesNotMatch', times: Infinity,
      message: 'Signature not yet current: 20260101T003000Z is still later than 20260101T002000Z (20260101T001500Z + 5 min.)' });
    const init = await world.rig(initArgs(world, ['--cidr', '203.0.113.7/32']));
    expect(errorLine(init.stderr)).toMatch(/^error: AWS refused the request's time stamp: this computer's clock is off .*Fix: Set this computer's clock to the right time/);
  });

  it('rejected credentials say to check them', async () => {
    world.cloud.proxy.inject({ action: '*', kind: 'error', code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials', status: 401, times: Infinity });
    const init = await world.rig(initArgs(world, ['--cidr', '203.0.113.7/32']));
    expect(errorLine(init.stderr)).toMatch(/^error: AWS did not accept your credentials .*Fix: Check the keys with `aws sts get-caller-identity`/);
  });

  it('throttling that outlasts the retries becomes RequestLimitExceeded', async () => {
    await initialised();
    world.cloud.proxy.inject({ action: 'DescribeInstances', kind: 'throttle', times: Infinity });
    const status = await world.rig(['status', '--json'], { env: { AWS_MAX_ATTEMPTS: '2' } });
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(errorLine(status.stderr)).toMatch(/^error: AWS is throttling requests in us-east-1 and kept refusing after 2 attempts\. Fix: Wait a minute/);
    expect(world.cloud.proxy.counts().DescribeInstances).toBe(2);
  });

  it('an account without a default VPC is told how to create one', async () => {
    const ec2 = world.ec2();
    const vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0]!.VpcId!;
    for (const subnet of (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets ?? []) {
      await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
    }
    for (const igw of (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))).InternetGateways ?? []) {
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpcId }));
      await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId }));
    }
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    ec2.destroy();
    const init = await world.rig(initArgs(world));
    expect(errorLine(init.stderr)).toBe('error: Your account has no default VPC in us-east-1. Fix: Create one with `aws ec2 create-default-vpc --region us-east-1`, or choose another region.');
  });

  it('a key pair in AWS whose private key is gone gets the fix, and nothing is overwritten', async () => {
    const ec2 = world.ec2();
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'cloudrig-gpu', KeyType: 'ed25519' }));
    ec2.destroy();
    const init = await world.rig(initArgs(world));
    expect(errorLine(init.stderr)).toMatch(/^error: AWS has the key pair cloudrig-gpu in us-east-1, but its private key is not at .*cloudrig-gpu\.pem\. Fix: Copy the key file there from the machine that made it; or, if it is lost, run `rig init --name gpu --region us-east-1 --type g4dn\.xlarge --new-key` to replace the key pair/);
    expect(world.cloud.proxy.counts().CreateKeyPair).toBe(1); // only ours above
    expect(world.cloud.proxy.counts().DeleteKeyPair ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().ImportKeyPair ?? 0).toBe(0);
  });

  it('an unreachable endpoint says to check the network', async () => {
    const closed = await freePort();
    const init = await world.rig(initArgs(world), { env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`, AWS_MAX_ATTEMPTS: '1' } });
    expect(errorLine(init.stderr)).toMatch(/^error: Could not reach AWS EC2 at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\. Fix: Check your network connection/);
  });

  it('a failed public IP lookup says to pass --cidr', async () => {
    world.cloud.proxy.inject({ action: 'checkip', kind: 'server-error', times: Infinity });
    const init = await world.rig(initArgs(world));
    expect(errorLine(init.stderr)).toMatch(/^error: Could not find your public IP address .*Fix: Pass --cidr/);
    expect((world.cloud.proxy.counts().CreateKeyPair ?? 0) + (world.cloud.proxy.counts().ImportKeyPair ?? 0)).toBe(0);
  });
});

describe('bad input is refused before any AWS call, naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--region', 'mars-1'], /--region.*Unknown region "mars-1".*us-east-1/],
    [['--type', 'g9x.giant'], /--type.*Unknown instance type "g9x\.giant".*g4dn\.xlarge/],
    [['--ami', 'ami-nothex'], /--ami.*"ami-nothex" is not an AMI id/],
    [['--cidr', '10.0.0.300/8'], /--cidr.*"10\.0\.0\.300\/8" is not an IPv4 CIDR/],
    [['--disk', 'big'], /--disk.*"big" is not a whole number/],
  ];
  for (const [flags, expected] of cases) {
    it(`refuses ${flags.join(' ')}`, async () => {
      const args = ['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', ...flags];
      const result = await world.rig(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(expected);
      expect(Object.keys(world.cloud.proxy.counts())).toEqual([]);
    });
  }

  it('refuses a disk smaller than the image needs before RunInstances', async () => {
    // moto reports a 15 GiB root snapshot for its images.
    expect((await world.rig(initArgs(world, ['--disk', '8']))).code).toBe(0);
    const up = await world.rig(['up', '--timeout', '30']);
    expect(errorLine(up.stderr)).toBe('error: A 8 GiB disk is smaller than the image\'s 15 GiB snapshot. Fix: --disk: pass --disk 15 or more (rig init … --disk 15).');
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
  });
});
