import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { Cloud, CloudGateway } from '../../core/ports.js';
import type { InstanceStateName, ScannedInstance } from '../../shared/workstation.js';
import { clientConfig, type AwsAccess } from './client-config.js';
import { AwsEc2Gateway, workstationOf } from './ec2-gateway.js';
import { mapAwsError } from './error-map.js';

const SCAN_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** AWS as CloudRig sees it: one gateway per region, and a scan across every enabled region. */
export class AwsCloud implements Cloud {
  private readonly gateways = new Map<string, AwsEc2Gateway>();

  constructor(
    private readonly access: AwsAccess,
    /** The region asked for the list of enabled regions. */
    private readonly homeRegion = 'us-east-1',
  ) {}

  gateway(region: string): CloudGateway {
    let gateway = this.gateways.get(region);
    if (!gateway) {
      gateway = new AwsEc2Gateway(region, this.access);
      this.gateways.set(region, gateway);
    }
    return gateway;
  }

  /** Every region in parallel: the wall time is that of the slowest region, not their sum. */
  async scan(options: { sequential?: boolean } = {}): Promise<ScannedInstance[]> {
    const regions = await this.enabledRegions();
    const perRegion = options.sequential
      ? await regions.reduce<Promise<ScannedInstance[][]>>(async (acc, r) => [...(await acc), await this.scanRegion(r)], Promise.resolve([]))
      : await Promise.all(regions.map((region) => this.scanRegion(region)));
    return perRegion.flat().sort((a, b) => a.region.localeCompare(b.region) || a.instanceId.localeCompare(b.instanceId));
  }

  private async enabledRegions(): Promise<string[]> {
    const client = new EC2Client(clientConfig(this.homeRegion, this.access));
    try {
      const out = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
      return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
    } catch (error) {
      throw await mapAwsError(error, { region: this.homeRegion, profile: this.access.profile ?? null });
    } finally {
      client.destroy();
    }
  }

  /** One region's pending/running/stopping/stopped instances, CloudRig's marked. */
  async scanRegion(region: string): Promise<ScannedInstance[]> {
    const client = new EC2Client(clientConfig(region, this.access));
    const instances: Instance[] = [];
    try {
      let token: string | undefined;
      do {
        const out = await client.send(new DescribeInstancesCommand({
          Filters: [{ Name: 'instance-state-name', Values: SCAN_STATES }],
          NextToken: token,
        }));
        for (const reservation of out.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
        token = out.NextToken;
      } while (token);
    } catch (error) {
      throw await mapAwsError(error, { region, profile: this.access.profile ?? null });
    } finally {
      client.destroy();
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
