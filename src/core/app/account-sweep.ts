// `rig scan --all` and `rig clean`: every billed resource in every enabled region, priced per
// month and marked CloudRig's or not; and the removal of CloudRig's own leftovers, one region at a
// time. A region that cannot be read is reported with its error; the others are still listed.
import type { RemoveOutcome } from '../account-inventory.js';
import {
  accountScan,
  cleanPlan,
  priceRegion,
  type AccountScan,
  type CleanPlan,
  type InventoryImage,
  type InventoryResource,
  type PricedResource,
  type RegionScan,
} from '../account-inventory.js';
import { toErrorInfo } from '../errors.js';
import { hourlyRateOf, type HourlyRate } from '../price-catalog.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { byText } from '../../shared/text-order.js';
import { inTurns } from '../in-turns.js';

/**
 * Every enabled region; each region's failure stays its own. All at once unless `regionsAtOnce`
 * says how many: `rig` asks every region together (someone waits for the answer), the tray app's
 * hourly background sweep a few at a time (nobody waits, and five calls in each of ~30 regions in
 * flight together keep every response alive long enough to reach V8's old generation: about 7 MB
 * more of the watcher's memory until V8 next compacts).
 */
export async function scanEverything(core: CloudRigCore, options: { regionsAtOnce?: number } = {}): Promise<AccountScan> {
  const regions = await core.account.enabledRegions();
  const atOnce = options.regionsAtOnce ?? regions.length;
  const scans: RegionScan[] = new Array<RegionScan>(regions.length);
  // A region's failure is its own row (scanRegion does not throw); the order is the regions'.
  await inTurns(regions.length, atOnce, async (i) => {
    scans[i] = await scanRegion(core, regions[i]!);
  });
  return accountScan(scans);
}

async function scanRegion(core: CloudRigCore, region: string): Promise<RegionScan> {
  try {
    const resources = await core.inventory.list(region);
    const storage = await core.prices.storage(region);
    const rates = new Map<string, HourlyRate | null>(await Promise.all(resources.flatMap((r) => (r.kind === 'instance' ? [r] : []))
      .map(async (instance) => [instance.id, await hourlyRateOf(core.prices, {
        region, instanceType: instance.instanceType, spot: instance.spot, availabilityZone: instance.availabilityZone,
      }).catch(() => null)] as const)));
    return { region, resources: priceRegion(resources, storage, rates), error: null };
  } catch (error) {
    return { region, resources: [], error: toErrorInfo(error) };
  }
}

/**
 * The images a workstation in the settings launches from: its explicit AMI, and (when it prefers
 * its saved image) the newest image saved from it. `rig clean --images` never removes these;
 * `rig images rm` does, when asked by id.
 */
export function launchImagesOf(core: CloudRigCore, scan: RegionScan): Map<string, string> {
  const launches = new Map<string, string>();
  const images = scan.resources.map((row) => row.resource).filter((r): r is InventoryImage => r.kind === 'image');
  for (const [name, spec] of Object.entries(core.settings.read().workstations)) {
    if (spec.region !== scan.region) continue;
    if (spec.image.kind === 'ami') launches.set(spec.image.imageId, name);
    if (!spec.preferSavedImage) continue;
    const newest = images.filter((image) => image.workstation === name)
      .sort((a, b) => byText(b.createdAt ?? '', a.createdAt ?? ''))[0];
    if (newest !== undefined) launches.set(newest.id, name);
  }
  return launches;
}

/** What `rig clean` would do in each region it could read, and the regions it could not. */
export interface CleanPlans {
  readonly plans: readonly CleanPlan[];
  readonly failed: ReadonlyArray<{ readonly region: string; readonly error: ErrorInfo }>;
}

/** The clean plan of every enabled region, from one account scan. */
export function planClean(core: CloudRigCore, scan: AccountScan, options: { readonly images: boolean }): CleanPlans {
  const plans: CleanPlan[] = [];
  const failed: Array<CleanPlans['failed'][number]> = [];
  for (const region of scan.regions) {
    if (region.error !== null) failed.push({ region: region.region, error: region.error });
    else plans.push(cleanPlan(region, { images: options.images, launchImages: launchImagesOf(core, region) }));
  }
  return { plans, failed };
}

/** One removal's outcome, as `rig clean` reports it. */
export interface RemovalResult {
  readonly row: PricedResource;
  readonly outcome: RemoveOutcome | 'failed';
  readonly error: ErrorInfo | null;
}

/**
 * Removes a region's leftovers in plan order (images before their snapshots). A failure is
 * reported and the rest still run, except that an image's snapshots stay when the image could not
 * be deregistered (AWS refuses to delete a snapshot an image uses).
 */
export async function removeLeftovers(core: CloudRigCore, plan: CleanPlan, onResult?: (result: RemovalResult) => void): Promise<RemovalResult[]> {
  const results: RemovalResult[] = [];
  const stillRegistered = new Set<string>();
  for (const row of plan.remove) {
    const resource: InventoryResource = row.resource;
    let result: RemovalResult;
    if (resource.kind === 'snapshot' && resource.usedBy.some((imageId) => stillRegistered.has(imageId))) {
      result = { row, outcome: 'failed', error: { code: 'InvalidInput', message: `${resource.id} still backs an image that was not removed.`, fix: { action: 'retry', reason: 'aws-said' } } };
    } else {
      result = await core.inventory.remove(resource).then(
        (outcome): RemovalResult => ({ row, outcome, error: null }),
        (error: unknown): RemovalResult => ({ row, outcome: 'failed', error: toErrorInfo(error) }),
      );
    }
    if (resource.kind === 'image' && result.outcome === 'failed') stillRegistered.add(resource.id);
    results.push(result);
    onResult?.(result);
  }
  return results;
}
