import { describe, expect, it } from 'vitest';
import { accountScan, cleanPlan, priceRegion, type InventoryResource, type RegionScan } from '../../src/core/account-inventory.js';
import { bundledStoragePrices } from '../../src/core/price-catalog.js';

const REGION = 'us-east-1';
const ours = { region: REGION, workstation: 'gpu' } as const;
const theirs = { region: REGION, workstation: null } as const;

function scanOf(resources: InventoryResource[]): RegionScan {
  return { region: REGION, resources: priceRegion(resources, bundledStoragePrices(REGION), new Map()), error: null };
}

const removedIds = (scan: RegionScan, images = false, launchImages = new Map<string, string>()): string[] =>
  cleanPlan(scan, { images, launchImages }).remove.map((row) => row.resource.id);

describe('the clean plan', () => {
  it('removes a CloudRig volume only when it is unattached and available', () => {
    const scan = scanOf([
      { ...ours, kind: 'volume', id: 'vol-free', state: 'available', sizeGiB: 10, volumeType: 'gp3', attachedTo: null },
      { ...ours, kind: 'volume', id: 'vol-creating', state: 'creating', sizeGiB: 10, volumeType: 'gp3', attachedTo: null },
      { ...ours, kind: 'volume', id: 'vol-attached', state: 'in-use', sizeGiB: 10, volumeType: 'gp3', attachedTo: 'i-gone' },
    ]);
    expect(removedIds(scan)).toEqual(['vol-free']);
  });

  it('keeps a CloudRig snapshot that backs an image of another tool, even with --images', () => {
    const scan = scanOf([
      { ...ours, kind: 'snapshot', id: 'snap-shared', state: 'completed', sizeGiB: 10, usedBy: ['ami-theirs'] },
      { ...theirs, kind: 'image', id: 'ami-theirs', name: 'team', state: 'available', sizeGiB: 10, snapshotIds: ['snap-shared'], createdAt: null },
    ]);
    const plan = cleanPlan(scan, { images: true, launchImages: new Map() });
    expect(plan.remove).toEqual([]);
    expect(plan.kept.map((k) => [k.row.resource.id, k.detail])).toEqual([['snap-shared', 'backs ami-theirs']]);
    expect(plan.foreign.map((row) => row.resource.id)).toEqual(['ami-theirs']);
  });

  it('with --images removes a saved image before its snapshots, and never the image a workstation launches from', () => {
    const scan = scanOf([
      { ...ours, kind: 'snapshot', id: 'snap-old', state: 'completed', sizeGiB: 10, usedBy: ['ami-old'] },
      { ...ours, kind: 'snapshot', id: 'snap-new', state: 'completed', sizeGiB: 10, usedBy: ['ami-new'] },
      { ...ours, kind: 'image', id: 'ami-old', name: 'old', state: 'available', sizeGiB: 10, snapshotIds: ['snap-old'], createdAt: '2026-01-01T00:00:00Z' },
      { ...ours, kind: 'image', id: 'ami-new', name: 'new', state: 'available', sizeGiB: 10, snapshotIds: ['snap-new'], createdAt: '2026-02-01T00:00:00Z' },
    ]);
    expect(removedIds(scan, false)).toEqual([]);
    expect(removedIds(scan, true, new Map([['ami-new', 'gpu']]))).toEqual(['ami-old', 'snap-old']);
  });

  it('removes a CloudRig Elastic IP only when it is not associated', () => {
    const scan = scanOf([
      { ...ours, kind: 'address', id: 'eipalloc-free', publicIp: '198.51.100.1', allocationId: 'eipalloc-free', associatedWith: null },
      { ...ours, kind: 'address', id: 'eipalloc-busy', publicIp: '198.51.100.2', allocationId: 'eipalloc-busy', associatedWith: 'i-1' },
    ]);
    expect(removedIds(scan)).toEqual(['eipalloc-free']);
  });
});

describe('the account total', () => {
  it('counts an image\'s snapshot once and leaves an instance without a price out, saying so', () => {
    const scan = scanOf([
      { ...theirs, kind: 'instance', id: 'i-1', state: 'running', instanceType: 'x9.unknown', spot: false, availabilityZone: null, launchedAt: null, publicIp: null },
      { ...ours, kind: 'snapshot', id: 'snap-1', state: 'completed', sizeGiB: 100, usedBy: ['ami-1'] },
      { ...ours, kind: 'image', id: 'ami-1', name: 'x', state: 'available', sizeGiB: 100, snapshotIds: ['snap-1'], createdAt: null },
    ]);
    const total = accountScan([scan, { region: 'eu-west-1', resources: [], error: null }]);
    expect(total.monthlyUsd).toBeCloseTo(100 * bundledStoragePrices(REGION).snapshotGbMonth.usd, 6);
    expect(total.unpriced).toBe(1);
    expect(total.billedRegions).toBe(1);
    expect(scan.resources.find((row) => row.resource.id === 'i-1')?.monthly.usd).toBeNull();
  });
});
