// What a workstation still costs while it is stopped: the volumes, images, snapshots and public
// addresses it keeps in AWS, each priced by the month. Pure: callers pass the prices in.
import type { SavedImage } from '../shared/workstation.js';
import { HOURS_PER_MONTH } from './cost-meter.js';
import type { PriceSource, StoragePrices } from './price-catalog.js';

/** An EBS volume that exists (and bills) whether the instance runs or not. */
export interface KeptVolume {
  readonly volumeId: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
}

/** An Elastic IP kept allocated: public IPv4 bills by the hour, attached or not. */
export interface KeptAddress {
  readonly publicIp: string;
  readonly allocationId: string | null;
}

/** A snapshot that belongs to no saved image (images are listed with their snapshots). */
export interface KeptSnapshot {
  readonly snapshotId: string;
  readonly sizeGiB: number;
}

/** Everything of a workstation that bills while it is stopped. */
export interface KeptResources {
  readonly volumes: readonly KeptVolume[];
  readonly images: readonly SavedImage[];
  readonly snapshots: readonly KeptSnapshot[];
  readonly addresses: readonly KeptAddress[];
}

/** One line of the "still costing you" list. */
export interface StillCostingItem {
  readonly kind: 'volume' | 'image' | 'snapshot' | 'public-ipv4';
  readonly id: string;
  readonly label: string;
  readonly monthlyUsd: number;
  readonly source: PriceSource;
}

/** The "still costing you" list and its monthly total. */
export interface StillCosting {
  readonly items: readonly StillCostingItem[];
  readonly monthlyUsd: number;
  /** `bundled` when any item was priced from the bundled table. */
  readonly source: PriceSource;
}

/**
 * What exists costs per month. Volumes of any type are priced at the gp3 rate (CloudRig creates
 * gp3). Snapshots are priced at their volume size: AWS bills the blocks actually stored, which is at
 * most that, so the figure is an upper bound.
 */
export function stillCosting(kept: KeptResources, prices: StoragePrices): StillCosting {
  const items: StillCostingItem[] = [
    ...kept.volumes.map((volume) => ({
      kind: 'volume' as const,
      id: volume.volumeId,
      label: `Volume ${volume.volumeId} (${volume.sizeGiB} GiB ${volume.volumeType})`,
      monthlyUsd: volume.sizeGiB * prices.gp3GbMonth.usd,
      source: prices.gp3GbMonth.source,
    })),
    ...kept.images.map((image) => ({
      kind: 'image' as const,
      id: image.imageId,
      label: `Image ${image.name} (${image.imageId}, up to ${image.sizeGiB} GiB of snapshots)`,
      monthlyUsd: image.sizeGiB * prices.snapshotGbMonth.usd,
      source: prices.snapshotGbMonth.source,
    })),
    ...kept.snapshots.map((snapshot) => ({
      kind: 'snapshot' as const,
      id: snapshot.snapshotId,
      label: `Snapshot ${snapshot.snapshotId} (up to ${snapshot.sizeGiB} GiB)`,
      monthlyUsd: snapshot.sizeGiB * prices.snapshotGbMonth.usd,
      source: prices.snapshotGbMonth.source,
    })),
    ...kept.addresses.map((address) => ({
      kind: 'public-ipv4' as const,
      id: address.allocationId ?? address.publicIp,
      label: `Public IPv4 ${address.publicIp}`,
      monthlyUsd: prices.publicIpv4Hour.usd * HOURS_PER_MONTH,
      source: prices.publicIpv4Hour.source,
    })),
  ];
  return {
    items,
    monthlyUsd: items.reduce((sum, item) => sum + item.monthlyUsd, 0),
    source: items.some((item) => item.source === 'bundled') ? 'bundled' : 'live',
  };
}
