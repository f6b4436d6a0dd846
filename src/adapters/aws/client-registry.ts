import { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { MiddlewareStack } from '@aws-sdk/types';
import { clientConfig, type AwsAccess } from './client-config.js';

/** Anything an SDK client is: configured once, sending commands, destroyed with its sockets. */
interface SdkClient {
  destroy(): void;
  readonly config: { readonly serviceId?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every client's stack, whatever its inputs and outputs
  readonly middlewareStack: MiddlewareStack<any, any>;
}

/** Where an SDK error came from: which service, at which endpoint (see `serviceOfError`). */
export interface ErrorOrigin {
  /** The SDK's service id: `EC2`, `Service Quotas`, `SSM`, `STS`, `Pricing`. */
  readonly service: string;
  /** `http://127.0.0.1:5000`, `https://servicequotas.us-east-1.amazonaws.com`; null when the request was never built. */
  readonly endpoint: string | null;
}

const ORIGIN = Symbol('cloudrig.errorOrigin');

/** The service and endpoint of a client's error, as its client tagged it; undefined for any other error. */
export function originOfError(error: unknown): ErrorOrigin | undefined {
  return typeof error === 'object' && error !== null ? (error as { [ORIGIN]?: ErrorOrigin })[ORIGIN] : undefined;
}

function endpointOfRequest(request: unknown): string | null {
  const { protocol, hostname, port } = (request ?? {}) as { protocol?: string; hostname?: string; port?: number };
  if (!hostname) return null;
  return `${protocol ?? 'https:'}//${hostname}${port ? `:${port}` : ''}`;
}

/**
 * Tags every error the client throws with its service and endpoint, so a message names the service
 * that failed (Service Quotas, SSM, STS) and not whichever one the caller happened to assume. It runs
 * in the build step: after the endpoint is resolved, around the retries and the signing.
 */
function tagErrorOrigin(client: SdkClient): void {
  const service = client.config.serviceId ?? 'AWS';
  client.middlewareStack.add((next) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (typeof error === 'object' && error !== null && !originOfError(error)) {
        Object.defineProperty(error, ORIGIN, { value: { service, endpoint: endpointOfRequest(args.request) } satisfies ErrorOrigin, configurable: true });
      }
      throw error;
    }
  }, { step: 'build', name: 'cloudrigErrorOrigin' });
}

type Make<C> = (region: string, access: AwsAccess) => C;

/**
 * The process's AWS clients for one access (profile or keys): one client per service and region,
 * made on first use and shared by the gateway, scans, prices, costs and account checks. Creating
 * a client per call costs more than the call (credentials, sockets, 38 regions in a scan).
 * Only EC2 is loaded up front; the other SDK packages are imported on first use, so `rig status`
 * starts without them.
 */
export class AwsClients {
  private readonly made = new Map<string, SdkClient>();
  /** Requests each client has under way (sent, not yet answered or failed). */
  private readonly inFlight = new Map<SdkClient, number>();

  constructor(readonly access: AwsAccess) {}

  private get<C extends SdkClient>(service: string, region: string, make: Make<C>): C {
    const key = `${service}:${region}`;
    let client = this.made.get(key) as C | undefined;
    if (!client) {
      client = make(region, this.access);
      tagErrorOrigin(client);
      this.countInFlight(client);
      this.made.set(key, client);
    }
    return client;
  }

  /** Counts the client's requests under way, so that forgetIdle() never closes one in use. */
  private countInFlight(client: SdkClient): void {
    client.middlewareStack.add((next) => async (args) => {
      this.inFlight.set(client, (this.inFlight.get(client) ?? 0) + 1);
      try {
        return await next(args);
      } finally {
        const left = (this.inFlight.get(client) ?? 1) - 1;
        if (left > 0) this.inFlight.set(client, left);
        else this.inFlight.delete(client);
      }
    }, { step: 'initialize', name: 'cloudrigInFlight' });
  }

  /**
   * Closes and forgets every client with no request under way; the next use makes a new one.
   * A scan of every region makes 38 EC2 clients (each with its configuration, middleware and
   * sockets) that the hourly poll of one region never uses again. A caller that still holds a
   * forgotten client can go on sending with it: the SDK opens new sockets after destroy().
   */
  forgetIdle(): void {
    for (const [key, client] of this.made) {
      if (this.inFlight.has(client)) continue;
      client.destroy();
      this.made.delete(key);
    }
  }

  ec2(region: string): EC2Client {
    return this.get('ec2', region, (r, access) => new EC2Client(clientConfig('EC2', r, access)));
  }

  /** An EC2 client that never retries, for calls EC2 cannot make idempotent (CreateImage). */
  ec2Once(region: string): EC2Client {
    return this.get('ec2-once', region, (r, access) => new EC2Client(clientConfig('EC2', r, { ...access, maxAttempts: 1 })));
  }

  async ssm(region: string): Promise<SSMClient> {
    const { SSMClient } = await import('@aws-sdk/client-ssm');
    return this.get('ssm', region, (r, access) => new SSMClient(clientConfig('SSM', r, access)));
  }

  async sts(region: string): Promise<STSClient> {
    const { STSClient } = await import('@aws-sdk/client-sts');
    return this.get('sts', region, (r, access) => new STSClient(clientConfig('STS', r, access)));
  }

  async quotas(region: string): Promise<ServiceQuotasClient> {
    const { ServiceQuotasClient } = await import('@aws-sdk/client-service-quotas');
    return this.get('service-quotas', region, (r, access) => new ServiceQuotasClient(clientConfig('Service Quotas', r, access)));
  }

  /**
   * The Price List API, asked in `region` (it answers in a few regions only, us-east-1 among them).
   * Two attempts unless the access says otherwise: a failure falls back to the bundled table quickly.
   */
  async pricing(region: string): Promise<PricingClient> {
    const { PricingClient } = await import('@aws-sdk/client-pricing');
    return this.get('pricing', region, (r, access) => new PricingClient(clientConfig('Pricing', r, { maxAttempts: 2, ...access })));
  }

  /** The clients kept now, as `service:region` (what a test of forgetIdle looks at). */
  kept(): string[] {
    return [...this.made.keys()];
  }

  /** Closes every client's sockets (a core being replaced, e.g. after a profile switch). */
  destroy(): void {
    for (const client of this.made.values()) client.destroy();
    this.made.clear();
  }
}

/** One registry per access object: the composition makes one access per core, so one registry per core. */
const registries = new WeakMap<AwsAccess, AwsClients>();

/** The clients of this access (made on first use). */
export function awsClients(access: AwsAccess): AwsClients {
  let clients = registries.get(access);
  if (!clients) {
    clients = new AwsClients(access);
    registries.set(access, clients);
  }
  return clients;
}
