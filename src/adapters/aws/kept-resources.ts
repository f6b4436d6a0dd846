import type {
  EC2Client} from '@aws-sdk/client-ec2';
import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Filter,
} from '@aws-sdk/client-ec2';
import type { KeptResources } from '../../core/still-costing.js';
import { TAG_WORKSTATION } from '../../core/ports.js';
import type { SavedImage } from '../../shared/workstation.js';
import type { AwsAccess } from './client-config.js';
import { awsClients } from './client-registry.js';
import { imageOf } from './ec2-gateway.js';
import { mapAwsError } from './error-map.js';

/**
 * Finds what a workstation keeps in AWS that bills while it is stopped — its EBS volumes, saved
 * images with their snapshots, stray snapshots and Elastic IPs — by CloudRig's tags (and, for
 * addresses, by association with the workstation's instance), for the "still costing you" list.
 */
export class AwsKeptResources {

  constructor(
    private readonly access: AwsAccess,
    private readonly clientFor?: (region: string) => EC2Client,
  ) {}

  async list(region: string, workstation: string, instanceId: string | null): Promise<KeptResources> {
    const ec2 = this.#ec2(region);
    const tagged: Filter[] = [{ Name: `tag:${TAG_WORKSTATION}`, Values: [workstation] }];
    const [volumes, images, snapshots, taggedAddresses, instanceAddresses] = await Promise.all([
      ec2.send(new DescribeVolumesCommand({ Filters: tagged })),
      ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: tagged })),
      ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: tagged })),
      ec2.send(new DescribeAddressesCommand({ Filters: tagged })),
      instanceId === null
        ? Promise.resolve({ Addresses: [] })
        : ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] })),
    ]).catch(async (error: unknown) => {
      throw await mapAwsError(error, { region });
    });

    const savedImages: SavedImage[] = (images.Images ?? []).map(imageOf);
    const ofImages = new Set(savedImages.flatMap((image) => image.snapshotIds));

    const addresses = new Map<string, { publicIp: string; allocationId: string | null }>();
    for (const address of [...(taggedAddresses.Addresses ?? []), ...(instanceAddresses.Addresses ?? [])]) {
      if (!address.PublicIp) continue;
      addresses.set(address.PublicIp, { publicIp: address.PublicIp, allocationId: address.AllocationId ?? null });
    }

    return {
      volumes: (volumes.Volumes ?? []).map((volume) => ({
        volumeId: volume.VolumeId ?? '',
        sizeGiB: volume.Size ?? 0,
        volumeType: volume.VolumeType ?? 'gp3',
      })),
      images: savedImages,
      snapshots: (snapshots.Snapshots ?? [])
        .filter((snapshot) => snapshot.SnapshotId !== undefined && !ofImages.has(snapshot.SnapshotId))
        .map((snapshot) => ({ snapshotId: snapshot.SnapshotId ?? '', sizeGiB: snapshot.VolumeSize ?? 0 })),
      addresses: [...addresses.values()],
    };
  }

  #ec2(region: string): EC2Client {
    return this.clientFor?.(region) ?? awsClients(this.access).ec2(region);
  }

}
