import { describe, expect, it } from 'vitest';
import { awsClients } from '../../src/adapters/aws/client-registry.js';
import { AwsCloud } from '../../src/adapters/aws/aws-cloud.js';

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
