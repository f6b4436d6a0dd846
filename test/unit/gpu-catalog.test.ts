import { describe, expect, it } from 'vitest';
import { cheapestUsd, gpuModelIs, quotaAllows, selectGpuOffers, similarGpuType, type GpuOffer } from '../../src/core/gpu-catalog.js';

function offer(instanceType: string, region: string, onDemand: number | null, spot: number | null, extra: Partial<GpuOffer> = {}): GpuOffer {
  const price = (usd: number | null) => (usd === null ? null : { usd, source: 'live' as const, fetchedAt: 0 });
  return {
    region, instanceType, gpuModel: 'NVIDIA T4', gpuCount: 1, gpuMemoryGiB: 16, vcpus: 4, memoryGiB: 16,
    onDemand: price(onDemand), spot: price(spot), quota: { code: 'L-DB2E81BA', name: 'G', vcpus: 8 }, ...extra,
  };
}

describe('choosing GPUs by price', () => {
  it('matches the whole GPU model name, not a prefix of it', () => {
    expect(gpuModelIs('NVIDIA T4', 't4')).toBe(true);
    expect(gpuModelIs('NVIDIA T4g', 'T4')).toBe(false);
    expect(gpuModelIs('NVIDIA A10G', 'A10')).toBe(false);
    expect(gpuModelIs('NVIDIA L40S', 'L4')).toBe(false);
    expect(gpuModelIs('NVIDIA RTX PRO Server 6000', 'server 6000')).toBe(true);
    expect(gpuModelIs(null, 'T4')).toBe(false);
  });

  it('sorts by on-demand price with unpriced offers last, then spot, region and type', () => {
    const offers = [
      offer('g4dn.2xlarge', 'us-east-1', 0.752, null),
      offer('g4dn.xlarge', 'us-west-2', null, 0.2),
      offer('g4dn.xlarge', 'us-east-1', 0.526, 0.3),
      offer('g4dn.xlarge', 'eu-west-1', 0.526, 0.25),
    ];
    expect(selectGpuOffers(offers).map((o) => `${o.instanceType}@${o.region}`)).toEqual([
      'g4dn.xlarge@eu-west-1', 'g4dn.xlarge@us-east-1', 'g4dn.2xlarge@us-east-1', 'g4dn.xlarge@us-west-2',
    ]);
  });

  it('keeps offers whose on-demand price is within the limit (the spot price when asked for spot), and those of the model asked for', () => {
    const offers = [
      offer('g4dn.xlarge', 'us-east-1', 0.526, null),
      offer('g4dn.4xlarge', 'us-east-1', 1.204, 0.4),
      offer('g5.xlarge', 'us-east-1', 1.006, null, { gpuModel: 'NVIDIA A10G' }),
      offer('g6.xlarge', 'us-east-1', null, null, { gpuModel: 'NVIDIA L4' }),
    ];
    // g4dn.4xlarge is cheap only on spot: an on-demand ceiling keeps it out, a spot ceiling lets it in.
    expect(selectGpuOffers(offers, { maxUsd: 0.6 }).map((o) => o.instanceType)).toEqual(['g4dn.xlarge']);
    expect(selectGpuOffers(offers, { maxUsd: 0.6, spot: true }).map((o) => o.instanceType)).toEqual(['g4dn.4xlarge']);
    expect(selectGpuOffers(offers, { gpu: 'A10G' }).map((o) => o.instanceType)).toEqual(['g5.xlarge']);
    expect(cheapestUsd(offers[3]!)).toBeNull();
  });

  it('says whether the quota covers one instance, and unknown when the quota is', () => {
    expect(quotaAllows(offer('g4dn.xlarge', 'us-east-1', 1, 1))).toBe(true);
    expect(quotaAllows(offer('g4dn.4xlarge', 'us-east-1', 1, 1, { vcpus: 16 }))).toBe(false);
    expect(quotaAllows(offer('g4dn.xlarge', 'us-east-1', 1, 1, { quota: null }))).toBeNull();
  });
});

describe('a similar GPU type when one has no capacity', () => {
  const type = (instanceType: string, gpuModel: string | null, vcpus: number, gpuCount = 1) =>
    ({ instanceType, gpuModel, gpuCount, gpuMemoryGiB: 16, vcpus, memoryGiB: vcpus * 4 });
  const catalog = [
    type('g4dn.xlarge', 'NVIDIA T4', 4), type('g4dn.2xlarge', 'NVIDIA T4', 8), type('g4dn.12xlarge', 'NVIDIA T4', 48, 4),
    type('g5.xlarge', 'NVIDIA A10G', 4), type('g5.2xlarge', 'NVIDIA A10G', 8), type('p3.2xlarge', 'NVIDIA V100', 8),
  ];

  it('is the same GPU model in the next size up', () => {
    expect(similarGpuType('g4dn.xlarge', catalog)).toBe('g4dn.2xlarge');
    expect(similarGpuType('g4dn.2xlarge', catalog)).toBe('g4dn.12xlarge');
  });

  it('is the next size down at the top of the range, and none when the GPU comes in one size or is unknown', () => {
    expect(similarGpuType('g5.2xlarge', catalog)).toBe('g5.xlarge');
    expect(similarGpuType('g4dn.12xlarge', catalog)).toBe('g4dn.2xlarge');
    expect(similarGpuType('p3.2xlarge', catalog)).toBeNull();
    expect(similarGpuType('g6.xlarge', catalog)).toBeNull();
    expect(similarGpuType('g4dn.xlarge', [])).toBeNull();
  });
});
