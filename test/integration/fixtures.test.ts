import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateKeyPairCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeRegionsCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import {
  GetServiceQuotaCommand,
  ListRequestedServiceQuotaChangeHistoryByQuotaCommand,
  RequestServiceQuotaIncreaseCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Client as SshClient } from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DLAMI_IMAGE_ID, DLAMI_PARAMETER, startCloud, type Cloud } from '../fixtures/cloud.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { startMoto } from '../fixtures/moto.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../fixtures/sshd.js';

let cloud: Cloud;
let sshd: Sshd;

beforeAll(async () => {
  [cloud, sshd] = await Promise.all([startCloud(), startSshd({ start: false })]);
});

afterAll(async () => {
  await Promise.all([cloud?.close(), sshd?.close()]);
});

beforeEach(async () => {
  await cloud.reset();
});

const credentials = () => ({
  accessKeyId: cloud.env.AWS_ACCESS_KEY_ID ?? '',
  secretAccessKey: cloud.env.AWS_SECRET_ACCESS_KEY ?? '',
});
/** A plain SDK client's options, the cloud's endpoint and keys given as a user's tool would take them. */
const clientConfig = (overrides: { region?: string; maxAttempts?: number } = {}) => ({
  region: overrides.region ?? cloud.env.AWS_REGION ?? '',
  endpoint: cloud.endpoint,
  credentials: credentials(),
  maxAttempts: overrides.maxAttempts ?? 3,
});
const ec2 = (overrides: { region?: string; maxAttempts?: number } = {}) => new EC2Client(clientConfig(overrides));

const launch: RunInstancesCommandInput = { ImageId: DLAMI_IMAGE_ID, InstanceType: 'g5.xlarge', MinCount: 1, MaxCount: 1 };

async function allInstances(client = ec2()): Promise<Instance[]> {
  const { Reservations } = await client.send(new DescribeInstancesCommand({}));
  return (Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

async function stateOf(instanceId: string): Promise<string | undefined> {
  const { Reservations } = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}


describe('moto fixture', () => {
  it('reset forgets the instances launched before it', async () => {
    await ec2().send(new RunInstancesCommand(launch));
    expect(await allInstances()).toHaveLength(1);

    await cloud.moto.reset();

    expect(await allInstances()).toHaveLength(0);
  });

  it('close stops the moto_server process', async () => {
    const moto = await startMoto();
    expect((await fetch(`${moto.url}/moto-api/data.json`)).ok).toBe(true);

    await moto.close();

    await expect(fetch(`${moto.url}/moto-api/data.json`)).rejects.toThrow();
  });
});

describe('cloud proxy: RunInstances idempotency', () => {
  it('answers a repeated ClientToken with the first launch instead of a second instance', async () => {
    const first = await ec2().send(new RunInstancesCommand({ ...launch, ClientToken: 'token-a' }));
    const second = await ec2().send(new RunInstancesCommand({ ...launch, ClientToken: 'token-a' }));

    expect(second.Instances?.[0]?.InstanceId).toBe(first.Instances?.[0]?.InstanceId);
    expect(await allInstances()).toHaveLength(1);
    expect(cloud.proxy.counts().RunInstances).toBe(2);
  });

  it('refuses a repeated ClientToken with different parameters', async () => {
    await ec2().send(new RunInstancesCommand({ ...launch, ClientToken: 'token-b' }));

    const error = await rejection(ec2().send(new RunInstancesCommand({ ...launch, InstanceType: 'g4dn.xlarge', ClientToken: 'token-b' })));

    expect(error.name).toBe('IdempotentParameterMismatch');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(await allInstances()).toHaveLength(1);
  });

  it('keeps a launch whose response was dropped to one instance when the SDK retries', async () => {
    cloud.proxy.inject({ action: 'RunInstances', kind: 'drop-after-apply' });

    const result = await ec2().send(new RunInstancesCommand({ ...launch, ClientToken: 'token-c' }));

    expect(cloud.proxy.counts().RunInstances).toBe(2); // the dropped attempt and the retry
    const instances = await allInstances();
    expect(instances.map((i) => i.InstanceId)).toEqual([result.Instances?.[0]?.InstanceId]);
  });
});

describe('cloud proxy: held state transitions', () => {
  it('reports pending until the hold expires, then running, and records when', async () => {
    cloud.proxy.setHold({ pendingMs: 700 });
    const launchedAt = Date.now();
    const { Instances } = await ec2().send(new RunInstancesCommand(launch));
    const instanceId = Instances?.[0]?.InstanceId ?? '';

    expect(Instances?.[0]?.State).toEqual({ Code: 0, Name: 'pending' });
    expect(await stateOf(instanceId)).toBe('pending');
    expect(cloud.proxy.transitions()).toEqual([]);
    // A filter on state sees the state the proxy reports, not moto's.
    const running = await ec2().send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
    );
    expect(running.Reservations).toEqual([]);

    await expect.poll(() => stateOf(instanceId), { timeout: 10_000, interval: 50 }).toBe('running');
    const [transition, ...others] = cloud.proxy.transitions();
    expect(others).toEqual([]);
    expect(transition).toMatchObject({ instanceId, state: 'running' });
    expect(transition?.at).toBeGreaterThanOrEqual(launchedAt + 700);
    expect(transition?.at).toBeLessThan(Date.now());
  });

  it('refuses to stop a pending instance, as EC2 does, and lets terminate supersede the hold', async () => {
    // shutting-down is held long enough to be seen by the describe below on a loaded machine.
    cloud.proxy.setHold({ pendingMs: 5_000, shuttingDownMs: 3_000 });
    const { Instances } = await ec2().send(new RunInstancesCommand(launch));
    const instanceId = Instances?.[0]?.InstanceId ?? '';

    const refused = await rejection(ec2().send(new StopInstancesCommand({ InstanceIds: [instanceId] })));
    expect(refused.name).toBe('IncorrectInstanceState');

    const terminated = await ec2().send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    expect(terminated.TerminatingInstances?.[0]).toMatchObject({
      PreviousState: { Name: 'pending' },
      CurrentState: { Name: 'shutting-down', Code: 32 },
    });
    const status = await ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [instanceId], IncludeAllInstances: true }));
    expect(status.InstanceStatuses?.[0]?.InstanceState?.Name).toBe('shutting-down');

    await expect.poll(() => stateOf(instanceId), { timeout: 10_000, interval: 50 }).toBe('terminated');
    // It never reached running: only the termination settled.
    expect(cloud.proxy.transitions().map((t) => t.state)).toEqual(['terminated']);
  });
});

describe('cloud proxy: faults, latency and counts', () => {
  it('surfaces endless throttling as RequestLimitExceeded after the SDK gives up', async () => {
    cloud.proxy.inject({ action: 'DescribeInstances', kind: 'throttle', times: Infinity });

    const error = await rejection(ec2({ maxAttempts: 2 }).send(new DescribeInstancesCommand({})));

    expect(error.name).toBe('RequestLimitExceeded');
    expect(cloud.proxy.counts().DescribeInstances).toBe(2);
  });

  it('lets the SDK retry through one 503 and one connection reset', async () => {
    cloud.proxy.inject({ action: 'DescribeRegions', kind: 'server-error' });
    cloud.proxy.inject({ action: 'DescribeRegions', kind: 'reset' });

    const { Regions } = await ec2().send(new DescribeRegionsCommand({}));

    expect(Regions?.length).toBeGreaterThan(10);
    expect(cloud.proxy.counts().DescribeRegions).toBe(3);
  });

  it('answers an injected error in each service wire format', async () => {
    cloud.proxy.inject({ action: 'DescribeRegions', kind: 'error', status: 403, code: 'UnauthorizedOperation', message: 'no' });
    cloud.proxy.inject({ action: 'GetCallerIdentity', kind: 'error', code: 'ExpiredToken', message: 'expired' });
    cloud.proxy.inject({ action: 'GetParameter', kind: 'error', code: 'AccessDeniedException', message: 'denied' });

    const ec2Error = await rejection(ec2().send(new DescribeRegionsCommand({})));
    const stsError = await rejection(new STSClient(clientConfig()).send(new GetCallerIdentityCommand({})));
    const ssmError = await rejection(new SSMClient(clientConfig()).send(new GetParameterCommand({ Name: DLAMI_PARAMETER })));

    expect([ec2Error.name, ec2Error.message, ec2Error.$metadata?.httpStatusCode]).toEqual(['UnauthorizedOperation', 'no', 403]);
    expect([stsError.name, stsError.message]).toEqual(['ExpiredToken', 'expired']);
    expect([ssmError.name, ssmError.message]).toEqual(['AccessDeniedException', 'denied']);
  });

  it('delays an action by the configured latency', async () => {
    cloud.proxy.setLatency(300, 'GetCallerIdentity');
    const started = Date.now();

    const identity = await new STSClient(clientConfig()).send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe('123456789012');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('counts requests per action across services until resetCounts', async () => {
    await ec2().send(new DescribeRegionsCommand({}));
    await ec2().send(new DescribeRegionsCommand({}));
    await new STSClient(clientConfig()).send(new GetCallerIdentityCommand({}));
    await new SSMClient(clientConfig()).send(new GetParameterCommand({ Name: DLAMI_PARAMETER }));

    expect(cloud.proxy.counts()).toEqual({ DescribeRegions: 2, GetCallerIdentity: 1, GetParameter: 1 });
    cloud.proxy.resetCounts();
    expect(cloud.proxy.counts()).toEqual({});
  });
});

describe('cloud proxy: APIs moto lacks', () => {
  it('resolves the Deep Learning GPU AMI public parameter to an image RunInstances accepts in any region', async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const ssm = new SSMClient(clientConfig({ region }));
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: DLAMI_PARAMETER }));
      expect(Parameter?.Value).toBe(DLAMI_IMAGE_ID);
      expect(Parameter?.ARN).toBe(`arn:aws:ssm:${region}::parameter${DLAMI_PARAMETER}`);

      const { Images } = await ec2({ region }).send(new DescribeImagesCommand({ ImageIds: [Parameter?.Value ?? ''] }));
      expect(Images?.[0]?.Name).toMatch(/Deep Learning AMI Ubuntu/);
      const { Instances } = await ec2({ region }).send(new RunInstancesCommand({ ...launch, ImageId: Parameter?.Value }));
      expect(Instances).toHaveLength(1);
    }
  });

  it('serves public parameters next to moto-stored ones and reports unknown names as AWS does', async () => {
    const ssm = new SSMClient(clientConfig());
    await ssm.send(new PutParameterCommand({ Name: '/cloudrig/test', Value: 'stored-in-moto', Type: 'String' }));
    cloud.proxy.setPublicParameter('/aws/service/example/eu-only', 'ami-eu', 'eu-west-1');

    const both = await ssm.send(new GetParametersCommand({ Names: [DLAMI_PARAMETER, '/cloudrig/test', '/aws/service/example/eu-only'] }));
    const missing = await rejection(ssm.send(new GetParameterCommand({ Name: '/aws/service/no/such/parameter' })));

    expect(both.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      [DLAMI_PARAMETER, DLAMI_IMAGE_ID],
      ['/cloudrig/test', 'stored-in-moto'],
    ]);
    expect(both.InvalidParameters).toEqual(['/aws/service/example/eu-only']);
    expect(missing.name).toBe('ParameterNotFound');
  });

  it('answers Pricing GetProducts with the matching products as JSON strings', async () => {
    cloud.proxy.setPriceList([
      onDemandPriceEntry({ instanceType: 'g5.xlarge', regionCode: 'us-east-1', usd: 1.006 }),
      onDemandPriceEntry({ instanceType: 'g5.xlarge', regionCode: 'eu-west-1', usd: 1.123 }),
      onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.526 }),
    ]);
    const pricing = new PricingClient(clientConfig());

    const result = await pricing.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        FormatVersion: 'aws_v1',
        Filters: [
          { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'G5.XLARGE' },
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
          { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
          { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
          { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
          { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
        ],
      }),
    );

    expect(result.FormatVersion).toBe('aws_v1');
    expect(result.PriceList).toHaveLength(1);
    // On the wire each product is a JSON text; the SDK hands it over as a LazyJsonString (typeof 'object').
    expect(String(result.PriceList?.[0])).toMatch(/^\{"product":/);
    const product = JSON.parse(String(result.PriceList?.[0])) as {
      terms: { OnDemand: Record<string, { priceDimensions: Record<string, { unit: string; pricePerUnit: { USD: string } }> }> };
    };
    const dimension = Object.values(Object.values(product.terms.OnDemand)[0]?.priceDimensions ?? {})[0];
    expect(dimension).toMatchObject({ unit: 'Hrs', pricePerUnit: { USD: '1.0060000000' } });

    cloud.proxy.setPricingAvailable(false);
    const denied = await rejection(pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonEC2' })));
    expect(denied.name).toBe('AccessDeniedException');
  });

  it('serves EC2 Service Quotas and records increase requests', async () => {
    cloud.proxy.setQuota('L-DB2E81BA', 0);
    const quotas = new ServiceQuotasClient(clientConfig());

    const { Quota } = await quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA' }));
    const { RequestedQuota } = await quotas.send(
      new RequestServiceQuotaIncreaseCommand({ ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA', DesiredValue: 8 }),
    );
    const history = await quotas.send(
      new ListRequestedServiceQuotaChangeHistoryByQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA' }),
    );
    const unknown = await rejection(quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-417A185B' })));

    expect(Quota).toMatchObject({ QuotaName: 'Running On-Demand G and VT instances', Value: 0 });
    expect(RequestedQuota).toMatchObject({ Status: 'PENDING', DesiredValue: 8 });
    expect(RequestedQuota?.Created).toBeInstanceOf(Date);
    expect(cloud.proxy.quotaRequests().map((r) => [r.QuotaCode, r.DesiredValue])).toEqual([['L-DB2E81BA', 8]]);
    expect(history.RequestedQuotas?.map((r) => r.Id)).toEqual([RequestedQuota?.Id]);
    expect(unknown.name).toBe('NoSuchResourceException');
  });

  it('decodes an authorization message registered with the proxy', async () => {
    const decoded = { allowed: false, context: { action: 'ec2:RunInstances' } };
    cloud.proxy.setDecodedAuthorizationMessage('encoded-1', decoded);
    const sts = new STSClient(clientConfig());

    const result = await sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'encoded-1' }));
    const unknown = await rejection(sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'other' })));

    expect(JSON.parse(result.DecodedMessage ?? '')).toEqual(decoded);
    expect(unknown.name).toBe('InvalidAuthorizationMessageException');
  });

  it('answers checkip with the configured address, as checkip.amazonaws.com does', async () => {
    const url = cloud.env.CLOUDRIG_MYIP_URL ?? '';
    expect(await (await fetch(url)).text()).toBe('203.0.113.7\n');

    cloud.proxy.setMyIp('198.51.100.23');

    expect(await (await fetch(url)).text()).toBe('198.51.100.23\n');
  });
});

describe('sshd fixture', () => {
  /** An ED25519 key pair as CloudRig gets one: from EC2 CreateKeyPair, private half only. */
  async function createKeyPair(name: string): Promise<string> {
    const { KeyMaterial } = await ec2().send(new CreateKeyPairCommand({ KeyName: name, KeyType: 'ed25519' }));
    return KeyMaterial ?? '';
  }

  function sshLogin(privateKey: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const client = new SshClient();
      client
        .on('ready', () => {
          client.exec('echo logged-in-as-$(id -un)', (error, stream) => {
            if (error) {
              client.end();
              reject(error);
              return;
            }
            let output = '';
            stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
            stream.on('close', () => {
              client.end();
              resolve(output.trim());
            });
          });
        })
        .on('error', reject)
        .connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey, readyTimeout: 5_000 });
    });
  }

  it('refuses connections until started, then accepts the key pair moto created', async () => {
    await sshd.stop();
    const privateKey = await createKeyPair('rig');
    await sshd.setAuthorizedKey(publicKeyFromPrivate(privateKey));

    const early = await rejection(sshLogin(privateKey));
    expect(early.message).toMatch(/ECONNREFUSED/);

    await sshd.start();

    expect(await sshLogin(privateKey)).toBe(`logged-in-as-${sshd.user}`);
  });

  it('rejects a key that is not the authorized one', async () => {
    // Keys from moto, not ssh2's generateKeyPairSync('ed25519'): that one emits a key its own
    // parseKey rejects about once in 256 (mscdex/ssh2#1390, #1513).
    const authorized = await createKeyPair('authorized');
    const stranger = await createKeyPair('stranger');
    await sshd.setAuthorizedKey(publicKeyFromPrivate(authorized));
    await sshd.start();

    const refused = await rejection(sshLogin(stranger));

    expect(refused.message).toMatch(/authentication methods failed/);
    expect(await sshLogin(authorized)).toBe(`logged-in-as-${sshd.user}`);
  });

  it('derives the same public key line as ssh-keygen -y', async () => {
    const privateKey = await createKeyPair('derived');
    const dir = await mkdtemp(join(tmpdir(), 'cloudrig-key-'));
    try {
      const file = join(dir, 'key.pem');
      await writeFile(file, privateKey, { mode: 0o600 });
      const { stdout } = await promisify(execFile)('ssh-keygen', ['-y', '-f', file]);

      expect(publicKeyFromPrivate(privateKey)).toBe(stdout.trim().split(' ').slice(0, 2).join(' '));
      expect(publicKeyFromPrivate(privateKey)).toMatch(/^ssh-ed25519 AAAA[\w+/=]+$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
