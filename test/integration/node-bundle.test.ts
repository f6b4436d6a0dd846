import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBundleOptions } from '../../scripts/node-bundle.mjs';
import { leaseMoto } from '../fixtures/shared-moto.js';
import type { MotoServer } from '../fixtures/moto.js';

const root = resolve(import.meta.dirname, '../..');

/** `contents` (an ES module in test/fixtures) bundled as `rig` and the bench's watcher are, minified. */
async function bundled(contents: string, outfile: string): Promise<string> {
  const result = await build({
    ...nodeBundleOptions,
    absWorkingDir: root,
    stdin: { contents, resolveDir: join(root, 'test', 'fixtures'), sourcefile: 'entry.mjs', loader: 'js' },
    outfile,
    minify: true,
    write: false,
  });
  return result.outputFiles?.[0]?.text ?? '';
}

// What a watcher sends every minute, bundled as `rig` and the bench's watcher process are bundled.
const ENTRY = `
import { EC2Client, DescribeInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
export async function launchAndList(endpoint) {
  const client = new EC2Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await client.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1,
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'bundled' }] }] }));
  const out = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['bundled'] }] }));
  client.destroy();
  return out.Reservations.flatMap((r) => r.Instances.map((i) => ({ type: i.InstanceType, state: i.State.Name, tags: i.Tags })));
}
`;

describe('the SDK as CloudRig bundles it for Node', () => {
  let dir: string;
  let moto: MotoServer;
  let code: string;

  beforeAll(async () => {
    [dir, moto] = await Promise.all([mkdtemp(join(tmpdir(), 'cloudrig-sdk-bundle-')), leaseMoto()]);
    code = await bundled(ENTRY, join(dir, 'entry.mjs'));
    await writeFile(join(dir, 'entry.mjs'), code);
  });

  afterAll(async () => {
    await moto?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('carries only the EC2 shapes the commands it sends use, not all of EC2', () => {
    // EC2's schema module holds every shape of ~750 operations (1.3 MB); a shape no command here
    // reaches must not be in the bundle (each process that loads it pays ~30 MB to parse it).
    const shapes = ['DescribeInstancesRequest', 'WithdrawByoipCidrResult', 'VpnTunnelOptionsSpecification'];
    expect(Object.fromEntries(shapes.map((shape) => [shape, code.includes(shape)]))).toEqual({
      DescribeInstancesRequest: true,
      WithdrawByoipCidrResult: false,
      VpnTunnelOptionsSpecification: false,
    });
    expect(code.length).toBeLessThan(500_000);
  });

  it('still sends and reads EC2 requests with the shapes it keeps (against moto)', async () => {
    const { launchAndList } = (await import(pathToFileURL(join(dir, 'entry.mjs')).href)) as {
      launchAndList(endpoint: string): Promise<{ type: string; state: string; tags: { Key: string; Value: string }[] }[]>;
    };
    const instances = await launchAndList(moto.url);
    expect(instances).toEqual([{ type: 't3.micro', state: 'running', tags: [{ Key: 'Name', Value: 'bundled' }] }]);
  });
});

describe('zod as CloudRig bundles it for Node', () => {
  it('carries the schemas the settings and the IPC contract use, without every language zod can speak', async () => {
    // `import { z } from 'zod'` hands over one object holding all of zod, its ~40 locales among it,
    // and none of it can be dropped: ~450 KB in every bundle, ~6 MB resident in each process.
    const code = await bundled(
      "export { SettingsSchema } from '../../src/shared/settings.js'; export * from '../../src/shared/contract.js'; export { FileLaunchLedger } from '../../src/adapters/store/launch-ledger.js';",
      join(tmpdir(), 'cloudrig-zod-bundle.mjs'),
    );
    expect({ german: code.includes('Zeichen'), size: code.length < 300_000 }).toEqual({ german: false, size: true });
  });
});
