import { CreateKeyPairCommand, DescribeKeyPairsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudProxy, type CloudProxy } from '../fixtures/cloud-proxy.js';
import { startMoto, type MotoServer } from '../fixtures/moto.js';

// The proxy's parallel-peer option: regions spread over several moto processes, as AWS's regional
// endpoints answer independently (the bench's scan rows use it).
let home: MotoServer;
let europe: MotoServer;
let proxy: CloudProxy;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

beforeAll(async () => {
  [home, europe] = await Promise.all([startMoto(), startMoto()]);
  proxy = await startCloudProxy({ target: home.url, regionTargets: { 'eu-west-1': europe.url } });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([home?.close(), europe?.close()]);
});

async function keyNames(endpoint: string, region: string): Promise<string[]> {
  const ec2 = new EC2Client({ endpoint, region, credentials });
  try {
    return ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).map((k) => k.KeyName ?? '');
  } finally {
    ec2.destroy();
  }
}

describe('the cloud proxy with regionTargets', () => {
  it('sends each request for a listed region to that region\'s moto, and every other region to the default one', async () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      const ec2 = new EC2Client({ endpoint: proxy.url, region, credentials });
      await ec2.send(new CreateKeyPairCommand({ KeyName: `key-${region}` }));
      ec2.destroy();
    }
    expect(await keyNames(europe.url, 'eu-west-1')).toEqual(['key-eu-west-1']);
    expect(await keyNames(home.url, 'eu-west-1')).toEqual([]);
    expect(await keyNames(home.url, 'us-east-1')).toEqual(['key-us-east-1']);
    expect(await keyNames(proxy.url, 'eu-west-1')).toEqual(['key-eu-west-1']);
  });
});
