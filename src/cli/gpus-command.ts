import { type GpuOffer, gpuOfferRow, type Price, quotaAllows, selectGpuOffers, validateRegion } from '../core/app/face.js';
import { InvalidArgumentError, Option } from 'commander';
import { GPU_MODEL_PATTERN, PRICE_SOURCE_NOTE } from '../shared/gpu-offers.js';
import { flag, lineWriter } from './output.js';
import type { CommandRegistrar } from './program.js';
import { formatHourly } from '../shared/hourly-rate.js';

function gpuName(value: string): string {
  if (!GPU_MODEL_PATTERN.test(value)) throw new InvalidArgumentError(`"${value}" is not a GPU model. Fix: name one such as T4, A10G, L4, L40S, A100 or H100.`);
  return value.trim();
}

function usdLimit(value: string): number {
  const usd = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(usd > 0)) throw new InvalidArgumentError(`"${value}" is not an hourly price. Fix: pass USD per hour, e.g. --max-usd 1.5.`);
  return usd;
}

const region = flag((value: string) => validateRegion(value, 'region'));

function priceText(price: Price | null): string {
  return price === null ? '—' : `${formatHourly(price.usd, 'compare')} ${price.source}`;
}

function quotaText(offer: GpuOffer): string {
  const allows = quotaAllows(offer);
  if (allows === null || offer.quota === null) return 'quota unknown';
  return `${offer.quota.vcpus} vCPUs${allows ? '' : ` — can't launch yet (needs ${offer.vcpus})`}`;
}

/** The table's header: the two memory columns would otherwise read as one "16 GiB  16 GiB". */
const GPUS_HEADER = ['GPU', 'GPUS', 'GPU MEMORY', 'CPUS', 'MEMORY', 'TYPE', 'REGION', 'ON-DEMAND', 'SPOT', 'QUOTA'];

/** `rig gpus`: GPU instance types by price, with the account's quota, in one region or all. */
export const registerGpusCommand: CommandRegistrar = (program, { rig, io }) => {
  const out = lineWriter(io.stdout);
  program
    .command('gpus')
    .description('GPU instance types by price: model, memory, on-demand and spot price, and your vCPU quota.')
    .addOption(new Option('--region <region>', 'the region to list (default: your workstation\'s, else AWS_REGION or us-east-1)').argParser(region).conflicts('allRegions'))
    .option('--all-regions', 'list every enabled region (one Pricing pass per type, cached a day)')
    .option('--gpu <model>', 'only this GPU model: T4, A10G, L4, L40S, A100, H100, …', gpuName)
    .option('--max-usd <usd>', 'only types whose on-demand price is at most this per hour (the spot price with --spot)', usdLimit)
    .option('--spot', 'compare --max-usd with spot prices, and sort by them')
    .option('--json', 'print a JSON array')
    .action(async (opts: { region?: string; allRegions?: boolean; gpu?: string; maxUsd?: number; spot?: boolean; json?: boolean }) => {
      const c = await rig();
      const names = c.names();
      const home = names.length > 0 ? c.spec(names.length === 1 ? names[0] : c.currentName() ?? names[0]).region : null;
      const regions = opts.allRegions ? await c.account.enabledRegions() : [opts.region ?? home ?? io.env.AWS_REGION ?? 'us-east-1'];
      const { offers, skipped } = await c.account.gpuOffers(regions, opts.gpu ?? null);
      const rows = selectGpuOffers(offers, { gpu: opts.gpu ?? null, maxUsd: opts.maxUsd ?? null, spot: opts.spot === true });
      for (const { region: where, message } of skipped) io.stderr.write(`skipped ${where}: ${message}\n`);
      if (opts.json) return out(JSON.stringify(rows.map(gpuOfferRow), null, 2));
      if (rows.length === 0) {
        return out(`No GPU instance types${opts.gpu ? ` with ${opts.gpu}` : ''}${opts.maxUsd ? ` at or under $${opts.maxUsd}/h ${opts.spot ? 'on spot' : 'on demand'}` : ''} in ${regions.length === 1 ? regions[0] : `${regions.length} regions`}.`);
      }
      const table = [GPUS_HEADER, ...rows.map((o) => [
        o.gpuModel ?? '?', `×${o.gpuCount}`, o.gpuMemoryGiB === null ? '?' : `${o.gpuMemoryGiB} GiB`, `${o.vcpus} vCPU`, `${o.memoryGiB} GiB`,
        o.instanceType, o.region, priceText(o.onDemand), priceText(o.spot), quotaText(o),
      ])];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      for (const row of table) out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
      if (rows.some((o) => o.onDemand?.source === 'bundled')) out(PRICE_SOURCE_NOTE);
    });
};
