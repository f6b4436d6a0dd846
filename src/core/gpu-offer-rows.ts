import type { GpuModelChoice, GpuOfferProblem, GpuOfferRow, GpuOffersView } from '../shared/gpu-offers.js';
import { cheapestUsd, quotaAllows, selectGpuOffers, type GpuFilter, type GpuOffer } from './gpu-catalog.js';

/** How many regions "cheapest regions for <GPU>" lists. */
export const CHEAPEST_REGIONS_SHOWN = 5;

/** One offer as both faces show it (`rig gpus --json` and the app's picker). */
export function gpuOfferRow(offer: GpuOffer): GpuOfferRow {
  return {
    region: offer.region,
    instanceType: offer.instanceType,
    gpuModel: offer.gpuModel,
    gpuCount: offer.gpuCount,
    gpuMemoryGiB: offer.gpuMemoryGiB,
    vcpus: offer.vcpus,
    memoryGiB: offer.memoryGiB,
    onDemandUsd: offer.onDemand?.usd ?? null,
    onDemandSource: offer.onDemand?.source ?? null,
    spotUsd: offer.spot?.usd ?? null,
    spotSource: offer.spot?.source ?? null,
    cheapestUsd: cheapestUsd(offer),
    quotaCode: offer.quota?.code ?? null,
    quotaVcpus: offer.quota?.vcpus ?? null,
    canLaunch: quotaAllows(offer),
  };
}

/**
 * The best on-demand offer of each region among `sorted` (offers in selectGpuOffers order), cheapest
 * regions first, at most `limit`.
 */
export function cheapestRegions(sorted: readonly GpuOffer[], limit = CHEAPEST_REGIONS_SHOWN): GpuOffer[] {
  const seen = new Set<string>();
  return sorted.filter((offer) => !seen.has(offer.region) && seen.add(offer.region)).slice(0, limit);
}

/** The GPU models among `sorted` (offers in selectGpuOffers order), cheapest first, with how many types have each. */
export function gpuModelChoices(sorted: readonly GpuOffer[]): GpuModelChoice[] {
  const choices = new Map<string, { types: Set<string>; fromUsd: number | null }>();
  for (const offer of sorted) {
    if (offer.gpuModel === null) continue;
    const choice = choices.get(offer.gpuModel) ?? { types: new Set<string>(), fromUsd: offer.onDemand?.usd ?? null };
    choice.types.add(offer.instanceType);
    choices.set(offer.gpuModel, choice);
  }
  return [...choices].map(([gpuModel, { types, fromUsd }]) => ({ gpuModel, types: types.size, fromUsd }));
}

/** Problems said once each: the same error about the same thing in many regions reads as one. */
function distinctProblems(problems: readonly GpuOfferProblem[]): GpuOfferProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.about} ${problem.error.code} ${JSON.stringify(problem.error.fix)}`;
    return !seen.has(key) && seen.add(key);
  });
}

/** What the picker shows for some offers: sorted rows, the models among them, the cheapest regions. */
export function gpuOffersView(
  list: { readonly offers: readonly GpuOffer[]; readonly skipped: GpuOffersView['skipped']; readonly problems?: readonly GpuOfferProblem[] },
  asked: { readonly scope: GpuOffersView['scope']; readonly regions: readonly string[]; readonly filter: GpuFilter },
): GpuOffersView {
  const sorted = selectGpuOffers(list.offers, asked.filter);
  return {
    scope: asked.scope,
    regions: asked.regions,
    gpu: asked.filter.gpu ?? null,
    rows: sorted.map(gpuOfferRow),
    models: gpuModelChoices(sorted),
    cheapestRegions: cheapestRegions(sorted).map(gpuOfferRow),
    skipped: list.skipped,
    problems: distinctProblems(list.problems ?? []),
  };
}
