// Everything in the account that bills, region by region: instances, EBS volumes, snapshots, owned
// images and Elastic IPs, each priced per month and marked CloudRig's or not, and which of them are
// CloudRig's own leftovers that `rig clean` may remove. Pure: the listing comes from an adapter,
// prices from the catalog; nothing here calls AWS.
import type { ErrorInfo } from '../shared/errors.js';
import { HOURS_PER_MONTH } from './cost-meter.js';
import { stillCosting, type KeptResources } from './still-costing.js';
import { formatUsd } from './format.js';
import type { IdleRow, IdleView } from '../shared/forgotten.js';
import type { HourlyRate, PriceSource, StoragePrices } from './price-catalog.js';

/** The kinds of billed resource the account scan lists. */
export type InventoryKind = 'instance' | 'volume' | 'snapshot' | 'image' | 'address';

interface ResourceBase {
  readonly region: string;
  readonly id: string;
  /** The CloudRig workstation it belongs to (both CloudRig tags), or null: CloudRig did not make it. */
  readonly workstation: string | null;
}

/** A pending, running, stopping or stopped instance, with the volumes attached to it. */
export interface InventoryInstance extends ResourceBase {
  readonly kind: 'instance';
  readonly state: string;
  readonly instanceType: string;
  readonly spot: boolean;
  readonly availabilityZone: string | null;
  readonly launchedAt: string | null;
  /** Its public IPv4 address, if any (billed by the hour while it runs, like an Elastic IP). */
  readonly publicIp: string | null;
}

/** An EBS volume; `attachedTo` is the instance it is attached to, null when unattached. */
export interface InventoryVolume extends ResourceBase {
  readonly kind: 'volume';
  readonly state: string;
  readonly sizeGiB: number;
  readonly volumeType: string;
  readonly attachedTo: string | null;
}

/** A snapshot owned by the account; `usedBy` are the owned images it backs. */
export interface InventorySnapshot extends ResourceBase {
  readonly kind: 'snapshot';
  readonly state: string;
  readonly sizeGiB: number;
  readonly usedBy: readonly string[];
}

/** An image (AMI) owned by the account. */
export interface InventoryImage extends ResourceBase {
  readonly kind: 'image';
  readonly name: string;
  readonly state: string;
  readonly sizeGiB: number;
  readonly snapshotIds: readonly string[];
  readonly createdAt: string | null;
}

/** An Elastic IP; `associatedWith` is the instance (or network interface) it is associated with. */
export interface InventoryAddress extends ResourceBase {
  readonly kind: 'address';
  readonly publicIp: string;
  readonly allocationId: string | null;
  readonly associatedWith: string | null;
}

/** One billed thing in one region. */
export type InventoryResource = InventoryInstance | InventoryVolume | InventorySnapshot | InventoryImage | InventoryAddress;

/** What happened to one resource `rig clean` removed. */
export type RemoveOutcome = 'removed' | 'already-gone';

/** The account's resources per region, and their removal; implemented in adapters/aws. */
export interface AccountInventory {
  /** Every instance (not terminated), volume, snapshot and image owned by the account, and every Elastic IP, in `region`. */
  list(region: string): Promise<InventoryResource[]>;
  /** Deletes (volume, snapshot), deregisters (image) or releases (address) one resource; gone already is fine. */
  remove(resource: InventoryResource): Promise<RemoveOutcome>;
}

/** A month's cost; usd null when no price is known (never shown as $0.00). */
export interface MonthlyCost {
  readonly usd: number | null;
  readonly source: PriceSource | null;
}

/** One row of the account scan. */
export interface PricedResource {
  readonly resource: InventoryResource;
  readonly monthly: MonthlyCost;
  /** The image whose cost already counts this snapshot (so the total counts it once); null otherwise. */
  readonly includedIn: string | null;
  /** The volumes attached to this instance, counted in its monthly cost. */
  readonly attachedVolumes: readonly string[];
  /** The EC2 console page of the resource (printed, never opened by the CLI). */
  readonly consoleUrl: string;
}

/** One region of the account scan: its rows, or the error that kept it from being read. */
export interface RegionScan {
  readonly region: string;
  readonly resources: readonly PricedResource[];
  readonly error: ErrorInfo | null;
}

/** The whole account: every enabled region and the month's projection. */
export interface AccountScan {
  readonly regions: readonly RegionScan[];
  /** What every priced row costs per month, counted once. */
  readonly monthlyUsd: number;
  /** Rows without a known price: the total is then a floor. */
  readonly unpriced: number;
  /** Regions holding at least one billed resource. */
  readonly billedRegions: number;
  /** `bundled` when any price came from the bundled table. */
  readonly source: PriceSource;
}

const CONSOLE_PAGES: Record<InventoryKind, (id: string) => string> = {
  instance: (id) => `InstanceDetails:instanceId=${id}`,
  volume: (id) => `VolumeDetails:volumeId=${id}`,
  snapshot: (id) => `SnapshotDetails:snapshotId=${id}`,
  image: (id) => `ImageDetails:imageId=${id}`,
  address: (id) => (id.startsWith('eipalloc-') ? `ElasticIpDetails:AllocationId=${id}` : `Addresses:search=${id}`),
};

/** The EC2 console page of a resource. */
export function resourceConsoleUrl(resource: Pick<InventoryResource, 'region' | 'kind' | 'id'>): string {
  const region = encodeURIComponent(resource.region);
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#${CONSOLE_PAGES[resource.kind](encodeURIComponent(resource.id))}`;
}

/** Instance states that bill compute by the hour. */
const COMPUTE_BILLED = new Set(['pending', 'running']);

function combine(parts: readonly MonthlyCost[]): MonthlyCost {
  if (parts.some((part) => part.usd === null)) return { usd: null, source: null };
  return {
    usd: parts.reduce((sum, part) => sum + (part.usd ?? 0), 0),
    source: parts.some((part) => part.source === 'bundled') ? 'bundled' : 'live',
  };
}

/**
 * Prices one region's resources per month. Storage, snapshots, images and addresses are priced as
 * the cost meter prices what a stopped workstation keeps (stillCosting); an instance costs its
 * hourly rate and its public IPv4 address (unless an Elastic IP, a row of its own) while pending or
 * running, plus its attached volumes whatever its state. A snapshot
 * that backs an image is counted in the image. Unattached volumes are rows of their own; attached
 * ones only add to their instance (one whose instance is not listed stays a row of its own).
 */
export function priceRegion(
  resources: readonly InventoryResource[],
  storage: StoragePrices,
  rates: ReadonlyMap<string, HourlyRate | null>,
): PricedResource[] {
  const volumes = resources.filter((r): r is InventoryVolume => r.kind === 'volume');
  const images = resources.filter((r): r is InventoryImage => r.kind === 'image');
  const snapshots = resources.filter((r): r is InventorySnapshot => r.kind === 'snapshot');
  const addresses = resources.filter((r): r is InventoryAddress => r.kind === 'address');
  const kept: KeptResources = {
    volumes: volumes.map((v) => ({ volumeId: v.id, sizeGiB: v.sizeGiB, volumeType: v.volumeType })),
    images: images.map((i) => ({ imageId: i.id, name: i.name, state: i.state, createdAt: i.createdAt, snapshotIds: i.snapshotIds, sizeGiB: i.sizeGiB })),
    snapshots: snapshots.map((s) => ({ snapshotId: s.id, sizeGiB: s.sizeGiB })),
    addresses: addresses.map((a) => ({ publicIp: a.publicIp, allocationId: a.id })),
  };
  const priced = new Map(stillCosting(kept, storage).items.map((item) => [`${item.kind}:${item.id}`, item]));
  const storageCost = (kind: string, id: string): MonthlyCost => {
    const item = priced.get(`${kind}:${id}`);
    return item === undefined ? { usd: null, source: null } : { usd: item.monthlyUsd, source: item.source };
  };
  const instanceIds = new Set(resources.filter((r) => r.kind === 'instance').map((r) => r.id));
  const elasticIps = new Set(addresses.map((a) => a.publicIp));
  const publicIpv4: MonthlyCost = { usd: storage.publicIpv4Hour.usd * HOURS_PER_MONTH, source: storage.publicIpv4Hour.source };
  const row = (resource: InventoryResource, monthly: MonthlyCost, extra: Partial<PricedResource> = {}): PricedResource => ({
    resource, monthly, includedIn: null, attachedVolumes: [], consoleUrl: resourceConsoleUrl(resource), ...extra,
  });

  return resources.flatMap((resource): PricedResource[] => {
    switch (resource.kind) {
      case 'instance': {
        const attached = volumes.filter((v) => v.attachedTo === resource.id);
        const rate = rates.get(resource.id) ?? null;
        const billed = COMPUTE_BILLED.has(resource.state);
        const compute: MonthlyCost = !billed ? { usd: 0, source: storage.gp3GbMonth.source }
          : rate === null ? { usd: null, source: null } : { usd: rate.usd * HOURS_PER_MONTH, source: rate.source };
        const address = billed && resource.publicIp !== null && !elasticIps.has(resource.publicIp) ? [publicIpv4] : [];
        return [row(resource, combine([compute, ...address, ...attached.map((v) => storageCost('volume', v.id))]), { attachedVolumes: attached.map((v) => v.id) })];
      }
      case 'volume':
        return resource.attachedTo !== null && instanceIds.has(resource.attachedTo) ? [] : [row(resource, storageCost('volume', resource.id))];
      case 'snapshot':
        return [row(resource, storageCost('snapshot', resource.id), { includedIn: resource.usedBy[0] ?? null })];
      case 'image':
        return [row(resource, storageCost('image', resource.id))];
      case 'address':
        return [row(resource, storageCost('public-ipv4', resource.id))];
    }
  });
}

/** The account scan's totals over its regions. */
export function accountScan(regions: readonly RegionScan[]): AccountScan {
  const rows = regions.flatMap((region) => region.resources).filter((row) => row.includedIn === null);
  return {
    regions,
    monthlyUsd: rows.reduce((sum, row) => sum + (row.monthly.usd ?? 0), 0),
    unpriced: rows.filter((row) => row.monthly.usd === null).length,
    billedRegions: regions.filter((region) => region.resources.length > 0).length,
    source: rows.some((row) => row.monthly.source === 'bundled') ? 'bundled' : 'live',
  };
}

/** The month's projection, in one line: `about $12.40/month in 2 regions`. */
export function projectionText(scan: AccountScan): string {
  const unpriced = scan.unpriced ? ` (${scan.unpriced} without a known price not counted)` : '';
  const regions = `${scan.billedRegions} region${scan.billedRegions === 1 ? '' : 's'}`;
  return `about ${formatUsd(scan.monthlyUsd)}/month in ${regions}${unpriced}`;
}

const KIND_WORDS: Record<Exclude<InventoryKind, 'instance'>, string> = { volume: 'Volume', snapshot: 'Snapshot', image: 'Image', address: 'Elastic IP' };

function idleTitle(resource: Exclude<InventoryResource, InventoryInstance>): string {
  const where = `in ${resource.region}`;
  switch (resource.kind) {
    case 'volume':
      return `${KIND_WORDS.volume}, ${resource.sizeGiB} GiB, ${resource.attachedTo === null ? 'unattached' : `attached to ${resource.attachedTo}`}, ${where}`;
    case 'snapshot':
      return `${KIND_WORDS.snapshot}, up to ${resource.sizeGiB} GiB, ${where}`;
    case 'image':
      return `${KIND_WORDS.image}, up to ${resource.sizeGiB} GiB of snapshots, ${where}`;
    case 'address':
      return `${KIND_WORDS.address} ${resource.publicIp}, ${resource.associatedWith === null ? 'unassociated' : `associated with ${resource.associatedWith}`}, ${where}`;
  }
}

/** What a resource costs a month as both faces list it: `$8.00/month (bundled price)`, or `price unknown`. */
export function monthlyCostText(monthly: MonthlyCost): string {
  return monthly.usd === null ? 'price unknown' : `${formatUsd(monthly.usd)}/month${monthly.source === 'bundled' ? ' (bundled price)' : ''}`;
}

/**
 * The app's "Idle in this account" list from the hourly account scan: every volume, snapshot,
 * image and Elastic IP with its monthly cost and owner (instances are the fleet's and the
 * forgotten-instance list's; a snapshot counted with its image is not a row of its own), most
 * costly first, and the month's projection over everything.
 */
export function idleView(scan: AccountScan): IdleView {
  const rows = scan.regions.flatMap((region) => region.resources)
    .filter((row) => row.resource.kind !== 'instance' && row.includedIn === null)
    .sort((a, b) => (b.monthly.usd ?? Number.POSITIVE_INFINITY) - (a.monthly.usd ?? Number.POSITIVE_INFINITY));
  return {
    rows: rows.map((row): IdleRow => {
      const resource = row.resource as Exclude<InventoryResource, InventoryInstance>;
      const cost = monthlyCostText(row.monthly);
      return {
        id: resource.id,
        title: idleTitle(resource),
        detail: `${cost} · ${resource.workstation === null ? 'not CloudRig\'s' : `CloudRig's (${resource.workstation})`}`,
        cloudrig: resource.workstation !== null,
      };
    }),
    summary: projectionText(scan),
    failedRegions: scan.regions.filter((region) => region.error !== null).map((region) => region.region),
  };
}

/** Why a CloudRig resource stays. */
export type KeepReason = 'saved-image' | 'launch-image' | 'backs-image';

/** What `rig clean` does in one region. */
export interface CleanPlan {
  readonly region: string;
  /** CloudRig's leftovers, in the order they are removed (images before their snapshots). */
  readonly remove: readonly PricedResource[];
  /** CloudRig's resources that are not leftovers to remove, with why. */
  readonly kept: ReadonlyArray<{ readonly row: PricedResource; readonly reason: KeepReason; readonly detail: string }>;
  /** Idle resources CloudRig did not make: only listed, with their console page. */
  readonly foreign: readonly PricedResource[];
}

const REMOVE_ORDER: Record<InventoryKind, number> = { image: 0, snapshot: 1, volume: 2, address: 3, instance: 4 };

/** Whether a resource sits idle (billed without an instance using it); instances never are. */
function idle(resource: InventoryResource): boolean {
  switch (resource.kind) {
    case 'instance':
      return false;
    case 'volume':
      return resource.attachedTo === null && resource.state === 'available';
    case 'address':
      return resource.associatedWith === null;
    case 'snapshot':
    case 'image':
      return true;
  }
}

/**
 * CloudRig's leftovers in one region. An unattached volume and an unassociated address CloudRig
 * made are removed. An image CloudRig saved is the user's data: kept unless `images` is set, and
 * always kept when a workstation launches from it (`launchImages`). A snapshot is removed only when
 * no image that stays uses it: one that backs a kept image (CloudRig's or not) is kept with it.
 * Attached volumes, associated addresses and instances are in use, not leftovers. Idle resources
 * CloudRig did not make are listed as foreign.
 */
export function cleanPlan(
  scan: RegionScan,
  options: { readonly images: boolean; readonly launchImages: ReadonlyMap<string, string> },
): CleanPlan {
  const kept: Array<CleanPlan['kept'][number]> = [];
  const removedImages = new Set<string>();
  for (const row of scan.resources) {
    const resource = row.resource;
    if (resource.kind !== 'image' || resource.workstation === null) continue;
    const launches = options.launchImages.get(resource.id);
    if (launches !== undefined) kept.push({ row, reason: 'launch-image', detail: `workstation ${launches} launches from it` });
    else if (!options.images) kept.push({ row, reason: 'saved-image', detail: 'a saved image (your data)' });
    else removedImages.add(resource.id);
  }
  const remove: PricedResource[] = [];
  const foreign: PricedResource[] = [];
  for (const row of scan.resources) {
    const resource = row.resource;
    if (!idle(resource)) continue;
    if (resource.workstation === null) {
      // A snapshot of a listed image is shown with the image.
      if (!(resource.kind === 'snapshot' && resource.usedBy.length > 0)) foreign.push(row);
      continue;
    }
    if (resource.kind === 'image') {
      if (removedImages.has(resource.id)) remove.push(row);
      continue;
    }
    if (resource.kind === 'snapshot') {
      const staying = resource.usedBy.filter((imageId) => !removedImages.has(imageId));
      if (staying.length > 0) {
        kept.push({ row, reason: 'backs-image', detail: `backs ${staying.join(', ')}` });
        continue;
      }
    }
    remove.push(row);
  }
  remove.sort((a, b) => REMOVE_ORDER[a.resource.kind] - REMOVE_ORDER[b.resource.kind]);
  return { region: scan.region, remove, kept, foreign };
}
