import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/adapters/aws/client-config.js';
import { credentialSource } from '../../src/adapters/aws/credential-source.js';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { withProcessEnv } from '../support/process-env.js';

// An AWS client built by clientConfig takes every setting from the environment it is given, never
// from the process's: `rig` run in-process (and two cores in one process) each reach their own AWS.
// Each test points the process's environment somewhere else for its duration (restored after), as a
// user's shell or a neighbouring run could, and checks the client did not go there.

/** A loopback HTTP server that answers 500 and counts what reaches it. */
interface CountingServer {
  readonly url: string;
  readonly requests: () => number;
  close(): Promise<void>;
}

async function countingServer(body = ''): Promise<CountingServer> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(body ? 200 : 500, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

class Stopped extends Error {}

/**
 * The request an EC2 client built from `env` would send for DescribeRegions, taken just before it
 * leaves (after endpoint, user agent and signing), and never sent: the default endpoint is AWS's.
 */
async function requestFrom(env: Record<string, string>): Promise<{ hostname: string; headers: Record<string, string> }> {
  const client = new EC2Client(clientConfig('EC2', 'us-east-1', { env, maxAttempts: 1 }));
  let seen: { hostname: string; headers: Record<string, string> } | undefined;
  client.middlewareStack.add((_next) => (args) => {
    const request = args.request as { hostname: string; headers: Record<string, string> };
    seen = { hostname: request.hostname, headers: { ...request.headers } };
    throw new Stopped();
  }, { step: 'deserialize', name: 'stopBeforeSending' });
  try {
    await expect(client.send(new DescribeRegionsCommand({}))).rejects.toBeInstanceOf(Stopped);
  } finally {
    client.destroy();
  }
  return seen!;
}

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAOWNRUN', AWS_SECRET_ACCESS_KEY: 'own', AWS_EC2_METADATA_DISABLED: 'true' };

let elsewhere: CountingServer;
let cloud: Cloud;
let emptyHome: string;
beforeAll(async () => {
  elsewhere = await countingServer();
  cloud = await startCloud();
  emptyHome = await mkdtemp(join(tmpdir(), 'cloudrig-aws-env-'));
});
afterAll(async () => {
  await elsewhere?.close();
  await cloud?.close();
  await rm(emptyHome, { recursive: true, force: true });
});

describe('an AWS client built by clientConfig', () => {
  it('reaches the endpoint its environment names, not the one in the process environment', async () => {
    await withProcessEnv({ AWS_ENDPOINT_URL: elsewhere.url, AWS_ENDPOINT_URL_EC2: elsewhere.url }, async () => {
      const client = new EC2Client(clientConfig('EC2', 'us-east-1', { env: { ...KEYS, HOME: emptyHome, AWS_ENDPOINT_URL: cloud.endpoint } }));
      try {
        expect((await client.send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThan(0);
      } finally {
        client.destroy();
      }
    });
    expect(cloud.proxy.counts().DescribeRegions).toBe(1);
    expect(elsewhere.requests()).toBe(0);
  });

  it('whose environment names no endpoint goes to AWS\'s own, ignoring AWS_ENDPOINT_URL in the process environment', async () => {
    const request = await withProcessEnv({ AWS_ENDPOINT_URL: elsewhere.url, AWS_ENDPOINT_URL_EC2: elsewhere.url },
      () => requestFrom({ ...KEYS, HOME: emptyHome }));
    expect(request.hostname).toBe('ec2.us-east-1.amazonaws.com');
    expect(elsewhere.requests()).toBe(0);
  });

  it('ignores an endpoint_url in the ~/.aws/config that the process environment points at', async () => {
    const processHome = await mkdtemp(join(tmpdir(), 'cloudrig-aws-env-process-'));
    try {
      const config = join(processHome, 'config');
      await writeFile(config, `[profile intruder]\nendpoint_url = ${elsewhere.url}\nuse_fips_endpoint = true\n`);
      const request = await withProcessEnv({ HOME: processHome, AWS_CONFIG_FILE: config, AWS_PROFILE: 'intruder' },
        () => requestFrom({ ...KEYS, HOME: emptyHome }));
      expect(request.hostname).toBe('ec2.us-east-1.amazonaws.com');
    } finally {
      await rm(processHome, { recursive: true, force: true });
    }
  });

  it('takes FIPS and dual-stack endpoints and the user agent\'s app id from its environment only', async () => {
    const intruding = { AWS_USE_FIPS_ENDPOINT: 'true', AWS_USE_DUALSTACK_ENDPOINT: 'true', AWS_SDK_UA_APP_ID: 'intruder' };
    const plain = await withProcessEnv(intruding, () => requestFrom({ ...KEYS, HOME: emptyHome }));
    expect(plain.hostname).toBe('ec2.us-east-1.amazonaws.com');
    expect(plain.headers['user-agent']).not.toMatch(/app\/intruder/);

    const own = await withProcessEnv({ AWS_USE_FIPS_ENDPOINT: undefined, AWS_USE_DUALSTACK_ENDPOINT: undefined, AWS_SDK_UA_APP_ID: undefined },
      () => requestFrom({ ...KEYS, HOME: emptyHome, AWS_USE_FIPS_ENDPOINT: 'true', AWS_USE_DUALSTACK_ENDPOINT: 'true', AWS_SDK_UA_APP_ID: 'ownrun' }));
    expect(own.hostname).toBe('ec2-fips.us-east-1.api.aws');
    expect(own.headers['user-agent']).toMatch(/app\/ownrun/);
  });
});

describe('credentials from a container endpoint', () => {
  it('come from the endpoint the given environment names, not the process environment\'s', async () => {
    const creds = (keyId: string) => JSON.stringify({ AccessKeyId: keyId, SecretAccessKey: 's', Token: 't', Expiration: new Date(Date.now() + 3_600_000).toISOString() });
    const own = await countingServer(creds('AKIAFROMOWN'));
    const other = await countingServer(creds('AKIAFROMPROCESS'));
    try {
      const resolved = await withProcessEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${other.url}/creds`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'process-token' }, async () => {
        const source = credentialSource({ HOME: emptyHome, AWS_CONTAINER_CREDENTIALS_FULL_URI: `${own.url}/creds` }, null, null);
        return typeof source === 'function' ? source() : source;
      });
      expect(resolved.accessKeyId).toBe('AKIAFROMOWN');
      expect(other.requests()).toBe(0);
    } finally {
      await own.close();
      await other.close();
    }
  });
});
