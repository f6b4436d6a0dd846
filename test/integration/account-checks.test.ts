import {
  DeleteInternetGatewayCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInternetGatewaysCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestQuotaIncrease, runDoctor } from '../../src/adapters/aws/account-checks.js';
import { clientConfig } from '../../src/adapters/aws/client-config.js';
import { listGpuInstanceTypes } from '../../src/adapters/aws/instance-catalog.js';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { fixWorded } from '../support/fix-matchers.js';

// STS, EC2 and Service Quotas through the SDK against moto + the cloud proxy (which serves the
// EC2 quotas moto lacks), exactly as the app's setup screen and `rig doctor` call them.
let cloud: Cloud;
let awsDir: string;
/** The cloud's endpoint and keys, and an empty AWS config (no profile of the user's to find). */
let env: Readonly<Record<string, string | undefined>>;
const G_ON_DEMAND = 'L-DB2E81BA';
const TARGET = { region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: false };

beforeAll(async () => {
  cloud = await startCloud();
  awsDir = await mkdtemp(join(tmpdir(), 'cloudrig-aws-'));
  await writeFile(join(awsDir, 'config'), '');
  env = { ...cloud.env, AWS_CONFIG_FILE: join(awsDir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials') };
});

afterAll(async () => {
  await cloud?.close();
  await rm(awsDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await cloud.reset();
});

describe('first-run checks against AWS (moto + proxy)', () => {
  it('finds the identity and the default VPC, and a zero G quota with the request to file', async () => {
    cloud.proxy.setQuota(G_ON_DEMAND, 0);
    const report = await runDoctor({ env }, TARGET);
    expect(report.checks.map((check) => `${check.id}:${check.status}`)).toEqual(['credentials:ok', 'default-vpc:ok', 'quota-on-demand:fail']);
    expect(report.checks[0]?.detail).toMatch(/^Signed in as arn:aws:\S+ \(account 123456789012\)\.$/);
    expect(report.checks[2]?.quotaRequest).toEqual({
      region: 'us-east-1', quotaCode: G_ON_DEMAND, quotaName: 'Running On-Demand G and VT instances', current: 0, desired: 4,
    });
  });

  it('files the increase, then shows it as open and refuses a second one', async () => {
    cloud.proxy.setQuota(G_ON_DEMAND, 0);
    const result = await requestQuotaIncrease({ env }, 'us-east-1', G_ON_DEMAND, 4);
    expect(result).toMatchObject({ status: 'PENDING', desired: 4 });
    expect(cloud.proxy.quotaRequests()).toEqual([expect.objectContaining({ QuotaCode: G_ON_DEMAND, DesiredValue: 4 })]);

    const report = await runDoctor({ env }, TARGET);
    expect(report.checks[2]).toMatchObject({ status: 'warn', quotaRequest: null, detail: expect.stringContaining('A request for 4 vCPUs is open (PENDING).') });
    await expect(requestQuotaIncrease({ env }, 'us-east-1', G_ON_DEMAND, 8)).rejects.toMatchObject({ code: 'QuotaRequestOpen' });
  });

  it('passes when the quota covers the type, and reads the spot quota for spot', async () => {
    cloud.proxy.setQuota(G_ON_DEMAND, 8);
    cloud.proxy.setQuota('L-3819A6DF', 0);
    expect((await runDoctor({ env }, TARGET)).ok).toBe(true);
    const spot = await runDoctor({ env }, { ...TARGET, instanceType: 'g4dn.2xlarge', spot: true });
    expect(spot.checks[2]).toMatchObject({ status: 'fail', quotaRequest: { quotaCode: 'L-3819A6DF', desired: 8 } });
  });

  it('fails the VPC check in a region whose default VPC was deleted', async () => {
    cloud.proxy.setQuota(G_ON_DEMAND, 8);
    const ec2 = new EC2Client(clientConfig('EC2', 'eu-west-1', { env }));
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    for (const vpc of vpcs.Vpcs ?? []) {
      const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId ?? ''] }] }));
      for (const subnet of subnets.Subnets ?? []) await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
      const gateways = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId ?? ''] }] }));
      for (const gateway of gateways.InternetGateways ?? []) {
        await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: gateway.InternetGatewayId, VpcId: vpc.VpcId }));
        await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: gateway.InternetGatewayId }));
      }
      await ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
    }
    ec2.destroy();
    const report = await runDoctor({ env }, { ...TARGET, region: 'eu-west-1' });
    expect(report.checks[1]).toMatchObject({ id: 'default-vpc', status: 'fail', detail: 'There is no default VPC in eu-west-1.' });
  });

  it('fails the credentials check for a profile that does not exist, and skips the rest', async () => {
    const report = await runDoctor({ profile: 'no-such-profile', env }, TARGET);
    expect(report.checks.map((check) => check.status)).toEqual(['fail', 'skipped', 'skipped']);
    expect(report.checks[0]?.fix).toEqual(fixWorded('cli', /aws configure|--profile/));
    expect(report.checks[0]?.fix).toEqual(fixWorded('app', /Settings → AWS account/));
  });

  it('refuses an instance type the region does not have', async () => {
    cloud.proxy.setQuota(G_ON_DEMAND, 8);
    const report = await runDoctor({ env }, { ...TARGET, instanceType: 'g4dn.97xlarge' });
    expect(report.checks[2]).toMatchObject({ status: 'warn', detail: '"Running On-Demand G and VT instances" in us-east-1 allows 8 vCPUs; what a g4dn.97xlarge needs is unknown: us-east-1 has no instance type "g4dn.97xlarge".' });
  });
});

describe('GPU instance types', () => {
  it('lists x86 G and P types with their GPUs, vCPUs and memory', async () => {
    const types = await listGpuInstanceTypes({ env }, 'us-east-1');
    expect(types.find((type) => type.instanceType === 'g4dn.xlarge')).toEqual({
      instanceType: 'g4dn.xlarge', gpuModel: 'NVIDIA T4', gpuCount: 1, gpuMemoryGiB: 16, vcpus: 4, memoryGiB: 16,
    });
    expect(types.some((type) => type.instanceType.startsWith('p'))).toBe(true);
    // Graviton GPU types need other images than the default x86_64 ones.
    expect(types.some((type) => type.instanceType.startsWith('g5g.'))).toBe(false);
    expect(types.every((type) => type.gpuModel !== null && /^[gp]/.test(type.instanceType))).toBe(true);
  });
});
