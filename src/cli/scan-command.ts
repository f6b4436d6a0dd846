import { type AccountScan, type CleanPlan, type InventoryResource, monthlyCostText, type PricedResource, projectionText, type RegionScan, type RemovalResult } from '../core/app/face.js';
import { printable } from '../shared/untrusted-text.js';
import { cliErrorText } from './fix-wording.js';
import { jsonText, lineWriter } from './output.js';
import { confirmOrRefuse, refuseWithoutTerminal } from './prompt.js';
import type { CommandRegistrar } from './program.js';

/** What one resource is, in a few words (names from AWS are other tools' text: printed escaped). */
function what(resource: InventoryResource): string {
  switch (resource.kind) {
    case 'instance':
      return `${resource.state} ${resource.instanceType}${resource.spot ? ' spot' : ''}`;
    case 'volume':
      return `${resource.sizeGiB} GiB ${resource.volumeType}, ${resource.attachedTo === null ? 'unattached' : `attached to ${resource.attachedTo}`}`;
    case 'snapshot':
      return `up to ${resource.sizeGiB} GiB${resource.usedBy.length ? `, backs ${resource.usedBy.join(', ')}` : ''}`;
    case 'image':
      return `"${printable(resource.name)}", ${resource.state}, up to ${resource.sizeGiB} GiB of snapshots`;
    case 'address':
      return `${resource.publicIp}, ${resource.associatedWith === null ? 'unassociated' : `associated with ${resource.associatedWith}`}`;
  }
}

function owner(resource: InventoryResource): string {
  return resource.workstation === null ? 'not CloudRig' : `CloudRig (${printable(resource.workstation)})`;
}

function monthlyText(row: PricedResource): string {
  if (row.includedIn !== null) return `counted with ${row.includedIn}`;
  return monthlyCostText(row.monthly);
}

/** One row of `rig scan --all` or of `rig clean`'s lists. */
export function resourceLine(row: PricedResource, options: { readonly link?: boolean } = {}): string {
  const r = row.resource;
  const volumes = row.attachedVolumes.length ? ` with ${row.attachedVolumes.join(', ')}` : '';
  const link = options.link ?? r.workstation === null;
  return `  ${r.kind.padEnd(8)} ${r.id}  ${what(r)}${volumes}  ${owner(r)}  ${monthlyText(row)}${link ? `  ${row.consoleUrl}` : ''}`;
}

/** One resource as `rig scan --all --json` prints it: flat, its kind's fields and its cost. */
function resourceJson(row: PricedResource): Record<string, unknown> {
  return {
    ...row.resource,
    cloudrig: row.resource.workstation !== null,
    monthlyUsd: row.monthly.usd,
    priceSource: row.monthly.source,
    includedIn: row.includedIn,
    ...(row.resource.kind === 'instance' ? { attachedVolumes: row.attachedVolumes } : {}),
    consoleUrl: row.consoleUrl,
  };
}

/** `rig scan --all --json`: every region (its error, or its resources) and the total. */
export function scanJson(scan: AccountScan): Record<string, unknown> {
  return {
    regions: scan.regions.map((region: RegionScan) => ({
      region: region.region,
      error: region.error,
      resources: region.resources.map(resourceJson),
    })),
    total: {
      monthlyUsd: scan.monthlyUsd,
      regions: scan.billedRegions,
      unpriced: scan.unpriced,
      priceSource: scan.source,
      text: projectionText(scan),
    },
  };
}

function outcomeText(result: RemovalResult): string {
  const r = result.row.resource;
  if (result.outcome === 'removed') return `  removed ${r.kind} ${r.id}`;
  if (result.outcome === 'already-gone') return `  ${r.kind} ${r.id} was already gone`;
  return `  could not remove ${r.kind} ${r.id}: ${result.error ? cliErrorText(result.error) : 'unknown error'}`;
}

/** `rig scan [--all] [--json]` and `rig clean [--images] [--yes]`. */
export const registerScanCommands: CommandRegistrar = (program, { rig, io, exit }) => {
  const out = lineWriter(io.stdout);

  program
    .command('scan')
    .description('Find instances in every enabled region; with --all, every billed volume, snapshot, image and Elastic IP too.')
    .option('--all', 'also unattached volumes, snapshots and images you own, and Elastic IPs, each with its monthly cost')
    .option('--json', 'print JSON (an array of instances; with --all, regions, resources and the total)')
    .addHelpText('after', '\nExamples:\n  rig scan --all\n  rig scan --all --json > account.json')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      if (!opts.all) {
        const found = await (await rig()).scanInstances();
        const rows = found.map(({ region, instanceId, state, instanceType, workstation }) => ({ region, instanceId, state, instanceType, workstation }));
        if (opts.json) return out(jsonText(rows, 2));
        if (!rows.length) return out('No instances in any region.');
        for (const r of rows) out(`${r.region.padEnd(15)} ${r.instanceId}  ${r.state.padEnd(8)} ${r.instanceType.padEnd(12)} ${r.workstation ?? '(not CloudRig)'}`);
        return;
      }
      const scan = await (await rig()).account.scanAccount();
      // A region that could not be read makes the answer partial: exit 1, after printing what was found.
      if (scan.regions.some((region) => region.error !== null)) exit.set(1);
      if (opts.json) return out(jsonText(scanJson(scan), 2));
      for (const region of scan.regions) {
        if (region.error !== null) {
          out(`${region.region}: could not be read: ${cliErrorText(region.error)}`);
          continue;
        }
        if (!region.resources.length) continue;
        out(region.region);
        for (const row of region.resources) out(resourceLine(row));
      }
      out(scan.billedRegions === 0 ? 'Nothing billed in any region that answered.' : `In total: ${projectionText(scan)}.`);
      if (scan.regions.some((r) => r.resources.some((row) => row.resource.workstation !== null && row.resource.kind !== 'instance'))) {
        out('`rig clean` removes CloudRig\'s own leftovers (asking per region); resources CloudRig did not make are only listed.');
      }
    });

  program
    .command('clean')
    .description('Remove CloudRig\'s own leftovers in every region: unattached volumes, stray snapshots, unassociated Elastic IPs (and with --images, saved images).')
    .option('--images', 'also deregister the images CloudRig saved (your data: rig down --save-image) and delete their snapshots; never one a workstation launches from')
    .option('--yes', 'do not ask for confirmation in each region')
    .addHelpText('after', '\nResources CloudRig did not make are never removed: they are listed with their AWS console page.\n\nExample:\n  rig clean --yes')
    .action(async (opts: { images?: boolean; yes?: boolean }) => {
      // Refused before the scan: no terminal means no region's question could be answered.
      const refusal = { yes: opts.yes, refusal: 'Refusing to remove resources without confirmation (no terminal to ask on).' };
      refuseWithoutTerminal(io, refusal);
      const c = await rig();
      const scan = await c.account.scanAccount();
      const { plans, failed } = c.account.planClean(scan, { images: Boolean(opts.images) });
      let removed = 0;
      let failures = failed.length;
      for (const plan of plans) {
        if (!plan.remove.length && !plan.kept.length && !plan.foreign.length) continue;
        out(plan.region);
        printPlan(plan, out);
        if (!plan.remove.length) continue;
        const go = await confirmOrRefuse(io, { ...refusal, message: `Remove ${plan.remove.length} CloudRig leftover${plan.remove.length === 1 ? '' : 's'} in ${plan.region}?`, default: false });
        if (!go) {
          out(`  Nothing removed in ${plan.region}.`);
          continue;
        }
        const results = await c.account.removeLeftovers(plan, (result) => out(outcomeText(result)));
        removed += results.filter((r) => r.outcome !== 'failed').length;
        failures += results.filter((r) => r.outcome === 'failed').length;
      }
      for (const { region, error } of failed) out(`${region}: could not be read, nothing removed there: ${cliErrorText(error)}`);
      out(removed === 0 && failures === 0 ? 'Nothing of CloudRig\'s to remove.' : `Removed ${removed}${failures ? `; ${failures} could not be (see above)` : ''}.`);
      if (failures) exit.set(1);
    });
};

function printPlan(plan: CleanPlan, out: (line: string) => void): void {
  if (plan.remove.length) {
    out('  CloudRig\'s leftovers to remove:');
    for (const row of plan.remove) out(`  ${resourceLine(row, { link: false })}`);
  }
  if (plan.kept.length) {
    out('  CloudRig\'s, kept:');
    for (const { row, reason, detail } of plan.kept) out(`  ${resourceLine(row, { link: false })}  (${detail}${reason === 'saved-image' ? '; --images removes it' : ''})`);
  }
  if (plan.foreign.length) {
    out('  Not CloudRig\'s (never removed; see them in the AWS console):');
    for (const row of plan.foreign) out(`  ${resourceLine(row, { link: true })}`);
  }
}
