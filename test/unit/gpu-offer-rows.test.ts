import { describe, expect, it } from 'vitest';
import type { GpuOffer } from '../../src/core/gpu-catalog.js';
import { cheapestRegions, gpuModelChoices, gpuOfferRow, gpuOffersView } from '../../src/core/gpu-offer-rows.js';
import type { GpuOfferProblem } from '../../src/shared/gpu-offers.js';

function offer(instanceType: string, region: string, onDemand: number | null, extra: Partial<GpuOffer> = {}): GpuOffer {
  return {
    region, instanceType, gpuModel: 'NVIDIA T4', gpuCount: 1, gpuMemoryGiB: 16, vcpus: 4, memoryGiB: 16,
    onDemand: onDemand === null ? null : { usd: onDemand, source: 'live', fetchedAt: 0 }, spot: null,
    quota: { code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances', vcpus: 8 }, ...extra,
  };
}

const denied = (about: GpuOfferProblem['about'], region: string): GpuOfferProblem => ({
  about, error: { code: 'UnauthorizedOperation', message: `Your AWS identity is not allowed to do this in ${region}.`, fix: { action: 'grant-permissions' } },
});

describe('GPU offers as both faces show them', () => {
  it('gives each offer one row: both prices with their source, the cheaper one, and whether the quota covers it', () => {
    const row = gpuOfferRow(offer('g4dn.4xlarge', 'us-east-1', 1.204, {
      vcpus: 16, spot: { usd: 0.4, source: 'live', fetchedAt: 0 }, onDemand: { usd: 1.204, source: 'bundled', fetchedAt: 0 },
    }));
    expect(row).toEqual({
      region: 'us-east-1', instanceType: 'g4dn.4xlarge', gpuModel: 'NVIDIA T4', gpuCount: 1, gpuMemoryGiB: 16, vcpus: 16, memoryGiB: 16,
      onDemandUsd: 1.204, onDemandSource: 'bundled', spotUsd: 0.4, spotSource: 'live', cheapestUsd: 0.4,
      quotaCode: 'L-DB2E81BA', quotaVcpus: 8, canLaunch: false,
    });
    expect(gpuOfferRow(offer('g4dn.xlarge', 'us-east-1', null, { quota: null }))).toMatchObject({ onDemandUsd: null, onDemandSource: null, quotaVcpus: null, canLaunch: null });
  });

  it('lists the best offer of each region, cheapest region first, a few at most', () => {
    const sorted = [
      offer('g4dn.xlarge', 'us-west-2', 0.41), offer('g4dn.2xlarge', 'us-west-2', 0.6), offer('g4dn.xlarge', 'eu-west-1', 0.45),
      offer('g4dn.xlarge', 'us-east-1', 0.5), offer('g4dn.xlarge', 'ap-south-1', 0.55), offer('g4dn.xlarge', 'ca-central-1', 0.58),
      offer('g4dn.xlarge', 'sa-east-1', 0.9),
    ];
    expect(cheapestRegions(sorted, 3).map((o) => `${o.region} ${o.instanceType}`)).toEqual(['us-west-2 g4dn.xlarge', 'eu-west-1 g4dn.xlarge', 'us-east-1 g4dn.xlarge']);
    expect(cheapestRegions(sorted).length).toBe(5);
  });

  it('names the GPU models among the offers, cheapest first, with how many types and the lowest price', () => {
    const sorted = [
      offer('g4dn.xlarge', 'us-east-1', 0.526), offer('g6.xlarge', 'us-east-1', 0.8048, { gpuModel: 'NVIDIA L4' }),
      offer('g4dn.2xlarge', 'us-east-1', 0.752), offer('g5.xlarge', 'us-east-1', 1.006, { gpuModel: 'NVIDIA A10G' }),
      offer('p9.xlarge', 'us-east-1', null, { gpuModel: null }),
    ];
    expect(gpuModelChoices(sorted)).toEqual([
      { gpuModel: 'NVIDIA T4', types: 2, fromUsd: 0.526 },
      { gpuModel: 'NVIDIA L4', types: 1, fromUsd: 0.8048 },
      { gpuModel: 'NVIDIA A10G', types: 1, fromUsd: 1.006 },
    ]);
  });

  it('sorts the view as rig gpus does and says a problem once however many regions had it', () => {
    const view = gpuOffersView(
      {
        offers: [offer('g4dn.xlarge', 'us-east-1', 0.526), offer('g4dn.xlarge', 'us-west-2', 0.51), offer('g5.xlarge', 'us-west-2', 1.006, { gpuModel: 'NVIDIA A10G' })],
        skipped: [{ region: 'ap-east-2', message: 'did not answer' }],
        problems: [denied('quota', 'us-east-1'), denied('quota', 'us-west-2'), denied('prices', 'us-east-1')],
      },
      { scope: 'all-regions', regions: ['us-east-1', 'us-west-2'], filter: { gpu: 'T4' } },
    );
    expect(view.rows.map((row) => `${row.region} ${row.instanceType}`)).toEqual(['us-west-2 g4dn.xlarge', 'us-east-1 g4dn.xlarge']);
    expect(view.cheapestRegions.map((row) => row.region)).toEqual(['us-west-2', 'us-east-1']);
    expect(view.models).toEqual([{ gpuModel: 'NVIDIA T4', types: 1, fromUsd: 0.51 }]);
    expect(view.problems.map((problem) => problem.about)).toEqual(['quota', 'prices']);
    expect(view.problems[0]?.error.message).toMatch(/us-east-1/);
    expect(view).toMatchObject({ scope: 'all-regions', gpu: 'T4', skipped: [{ region: 'ap-east-2' }] });
  });
});
