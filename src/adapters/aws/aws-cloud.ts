import { DescribeRegionsCommand, paginateDescribeInstances, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { Cloud, CloudGateway } from '../../core/ports.js';
import type { InstanceStateName, ScannedInstance } from '../../shared/workstation.js';
import type { AwsAccess } from './client-config.js';
import { awsClients } from './client-registry.js';
import { AwsEc2Gateway, workstationOf } from './ec2-gateway.js';
import { mapAwsError } from './error-map.js';
import { KNOWN_REGIONS } from '../../core/validate.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import * as z from 'zod';
import { readJsonFile } from '../store/json-file.js';
import { byText } from '../../shared/text-order.js';

const RegionsCacheSchema = z.object({ regions: z.array(z.string()) });

const SCAN_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** AWS as CloudRig sees it: one gateway per region, and a scan across every enabled region. */
export class AwsCloud implements Cloud {
  private readonly gateways = new Map<string, AwsEc2Gateway>();

  /** The enabled regions last seen (this process, or the cache file). */
  private knownEnabled: string[] | null = null;

  constructor(
    private readonly access: AwsAccess,
    /** The region asked for the list of enabled regions. */
    private readonly homeRegion = 'us-east-1',
    /** Where the enabled-region list is kept between runs, so a scan starts every region at once. */
    private readonly regionsCacheFile: string | null = null,
  ) {}

  gateway(region: string): CloudGateway {
    let gateway = this.gateways.get(region);
    if (!gateway) {
      gateway = new AwsEc2Gateway(region, this.access);
      this.gateways.set(region, gateway);
    }
    return gateway;
  }

  /**
   * Every enabled region in parallel: the wall time is that of the slowest region, not their sum.
   * The known regions are asked while DescribeRegions is still answering (saving a round trip);
   * answers from regions the account has not enabled are dropped, and so are their errors.
   */
  async scan(options: { sequential?: boolean } = {}): Promise<ScannedInstance[]> {
    if (options.sequential) {
      const regions = await this.enabledRegions();
      const perRegion: ScannedInstance[][] = [];
      for (const region of regions) perRegion.push(await this.scanRegion(region));
      return sortScan(perRegion.flat());
    }
    const guess = new Set([...KNOWN_REGIONS, ...(await this.cachedEnabledRegions())]);
    const early = new Map([...guess].map((region) => [region, settle(this.scanRegion(region))] as const));
    const enabled = await this.enabledRegions();
    await this.rememberEnabledRegions(enabled);
    const perRegion = await Promise.all(enabled.map(async (region) => {
      const result = await (early.get(region) ?? settle(this.scanRegion(region)));
      if (!result.ok) throw result.error;
      return result.value;
    }));
    return sortScan(perRegion.flat());
  }

  forgetIdleClients(): void {
    awsClients(this.access).forgetIdle();
  }

  /** The process's one EC2 client for a region, shared by the gateway, scans, prices and costs. */
  client(region: string): EC2Client {
    return awsClients(this.access).ec2(region);
  }

  private async cachedEnabledRegions(): Promise<string[]> {
    if (this.knownEnabled) return this.knownEnabled;
    if (!this.regionsCacheFile) return [];
    // No cache yet, or a damaged one: the known regions and DescribeRegions cover it.
    const cached = await readJsonFile(this.regionsCacheFile, RegionsCacheSchema).catch(() => null);
    this.knownEnabled = cached?.regions ?? null;
    return cached?.regions ?? [];
  }

  private async rememberEnabledRegions(regions: string[]): Promise<void> {
    const before = this.knownEnabled;
    this.knownEnabled = regions;
    if (!this.regionsCacheFile || (before && before.join() === regions.join())) return;
    await writeFileAtomic(this.regionsCacheFile, `${JSON.stringify({ regions }, null, 2)}\n`, 0o644).catch(() => undefined);
  }

  /** The regions enabled for the account, asked of EC2 (DescribeRegions). */
  async enabledRegions(): Promise<string[]> {
    try {
      const out = await this.client(this.homeRegion).send(new DescribeRegionsCommand({ AllRegions: false }));
      return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
    } catch (error) {
      throw await mapAwsError(error, { region: this.homeRegion, profile: this.access.profile ?? null, env: this.access.env });
    }
  }

  /** One region's pending/running/stopping/stopped instances, CloudRig's marked. */
  async scanRegion(region: string): Promise<ScannedInstance[]> {
    const client = this.client(region);
    const instances: Instance[] = [];
    try {
      for await (const page of paginateDescribeInstances({ client }, { Filters: [{ Name: 'instance-state-name', Values: SCAN_STATES }] })) {
        for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      }
    } catch (error) {
      throw await mapAwsError(error, { region, profile: this.access.profile ?? null, env: this.access.env });
    }
    return instances.map((instance) => ({
      region,
      instanceId: instance.InstanceId ?? '',
      state: (instance.State?.Name ?? 'pending') as InstanceStateName,
      instanceType: instance.InstanceType ?? '',
      workstation: workstationOf(instance.Tags),
      launchedAt: instance.LaunchTime?.toISOString() ?? null,
    }));
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so an early answer nobody awaits cannot become an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

function sortScan(found: ScannedInstance[]): ScannedInstance[] {
  return found.sort((a, b) => byText(a.region, b.region) || byText(a.instanceId, b.instanceId));
}
