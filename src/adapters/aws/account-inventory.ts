import {
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeAddressesCommand,
  ReleaseAddressCommand,
  paginateDescribeImages,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type Address,
  type EC2Client,
  type Image,
  type Instance,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
import type { AccountInventory, InventoryResource, InventorySnapshot, RemoveOutcome } from '../../core/account-inventory.js';
import type { AwsAccess } from './client-config.js';
import { imageOf, workstationOf } from './ec2-gateway.js';
import { mapAwsError } from './error-map.js';
import { byText } from '../../shared/text-order.js';

const KIND_ORDER = ['instance', 'volume', 'snapshot', 'image', 'address'];

const LISTED_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** AWS's answers when the thing to remove no longer exists: `rig clean` run twice is fine. */
const GONE = new Set([
  'InvalidVolume.NotFound',
  'InvalidSnapshot.NotFound',
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Unavailable',
  'InvalidAllocationID.NotFound',
  'InvalidAddress.NotFound',
]);

/**
 * The account's billed resources in one region through the SDK's paginators: instances, every
 * volume, the snapshots and images the account owns (`self`), and every Elastic IP. It removes
 * what the core's clean plan names, one resource per call, and never anything else.
 */
export class AwsAccountInventory implements AccountInventory {
  constructor(
    private readonly access: AwsAccess,
    private readonly clientFor: (region: string) => EC2Client,
  ) {}

  async list(region: string): Promise<InventoryResource[]> {
    const client = this.clientFor(region);
    try {
      const [instances, volumes, snapshots, images, addresses] = await Promise.all([
        collect(paginateDescribeInstances({ client }, { Filters: [{ Name: 'instance-state-name', Values: LISTED_INSTANCE_STATES }] }),
          (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])),
        collect(paginateDescribeVolumes({ client }, {}), (page) => page.Volumes ?? []),
        collect(paginateDescribeSnapshots({ client }, { OwnerIds: ['self'] }), (page) => page.Snapshots ?? []),
        collect(paginateDescribeImages({ client }, { Owners: ['self'] }), (page) => page.Images ?? []),
        client.send(new DescribeAddressesCommand({})).then((out) => out.Addresses ?? []),
      ]);
      return inventoryOf(region, { instances, volumes, snapshots, images, addresses });
    } catch (error) {
      throw await mapAwsError(error, { region, profile: this.access.profile ?? null, env: this.access.env });
    }
  }

  async remove(resource: InventoryResource): Promise<RemoveOutcome> {
    const client = this.clientFor(resource.region);
    try {
      switch (resource.kind) {
        case 'volume':
          await client.send(new DeleteVolumeCommand({ VolumeId: resource.id }));
          break;
        case 'snapshot':
          await client.send(new DeleteSnapshotCommand({ SnapshotId: resource.id }));
          break;
        case 'image':
          await client.send(new DeregisterImageCommand({ ImageId: resource.id }));
          break;
        case 'address':
          await client.send(new ReleaseAddressCommand(resource.allocationId !== null ? { AllocationId: resource.allocationId } : { PublicIp: resource.publicIp }));
          break;
        case 'instance':
          // Instances end through `rig down`, which knows their workstation and what it keeps.
          throw new Error(`rig clean does not remove instances (${resource.id})`);
      }
      return 'removed';
    } catch (error) {
      const mapped = await mapAwsError(error, { region: resource.region, profile: this.access.profile ?? null, env: this.access.env });
      if (GONE.has(mapped.awsCode ?? errorName(error))) return 'already-gone';
      throw mapped;
    }
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string } | null)?.name ?? '';
}

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...items(page));
  return all;
}

/** The SDK's shapes as the core's inventory rows. */
function inventoryOf(region: string, found: {
  instances: Instance[]; volumes: Volume[]; snapshots: Snapshot[]; images: Image[]; addresses: Address[];
}): InventoryResource[] {
  const images = found.images.map((image) => ({ image, saved: imageOf(image), workstation: workstationOf(image.Tags) }));
  const snapshots: InventorySnapshot[] = found.snapshots.map((snapshot) => {
    const id = snapshot.SnapshotId ?? '';
    const users = images.filter((i) => i.saved.snapshotIds.includes(id));
    return {
      kind: 'snapshot', region, id,
      // CreateImage makes the snapshots of CloudRig's image: they are CloudRig's even if tagging them failed.
      workstation: workstationOf(snapshot.Tags) ?? users.find((u) => u.workstation !== null)?.workstation ?? null,
      state: snapshot.State ?? 'completed',
      sizeGiB: snapshot.VolumeSize ?? 0,
      usedBy: users.map((u) => u.saved.imageId),
    };
  });
  return [
    ...found.instances.map((instance): InventoryResource => ({
      kind: 'instance', region,
      id: instance.InstanceId ?? '',
      workstation: workstationOf(instance.Tags),
      state: instance.State?.Name ?? 'pending',
      instanceType: instance.InstanceType ?? '',
      spot: instance.InstanceLifecycle === 'spot',
      availabilityZone: instance.Placement?.AvailabilityZone ?? null,
      launchedAt: instance.LaunchTime?.toISOString() ?? null,
      publicIp: instance.PublicIpAddress || null,
    })),
    ...found.volumes.map((volume): InventoryResource => ({
      kind: 'volume', region,
      id: volume.VolumeId ?? '',
      workstation: workstationOf(volume.Tags),
      state: volume.State ?? 'available',
      sizeGiB: volume.Size ?? 0,
      volumeType: volume.VolumeType ?? 'gp3',
      attachedTo: (volume.Attachments ?? []).find((a) => a.InstanceId)?.InstanceId ?? null,
    })),
    ...snapshots,
    ...images.map(({ saved, workstation }): InventoryResource => ({ kind: 'image', region, id: saved.imageId, workstation, ...withoutId(saved) })),
    ...found.addresses.map((address): InventoryResource => ({
      kind: 'address', region,
      id: address.AllocationId ?? address.PublicIp ?? '',
      workstation: workstationOf(address.Tags),
      publicIp: address.PublicIp ?? '',
      allocationId: address.AllocationId ?? null,
      associatedWith: address.InstanceId || address.NetworkInterfaceId || address.AssociationId || null,
    })),
  ].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || byText(a.id, b.id));
}

function withoutId(saved: ReturnType<typeof imageOf>): { name: string; state: string; sizeGiB: number; snapshotIds: readonly string[]; createdAt: string | null } {
  return { name: saved.name, state: saved.state, sizeGiB: saved.sizeGiB, snapshotIds: saved.snapshotIds, createdAt: saved.createdAt };
}
