import { type ArchiveResult, type ArchiveSaving, formatUsd } from '../core/app/face.js';
import { jsonText, lineWriter } from './output.js';
import { confirmOrRefuse } from './prompt.js';
import { workstationName, type CommandRegistrar } from './program.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';
import { roundCents } from '../shared/money.js';


/** What `rig archive --json` prints: the result, money in cents. */
export type ArchiveJson = ArchiveResult;

/** The line that says what archiving saves, with where the prices came from. */
export function savingLine(saving: ArchiveSaving): string {
  return `Saves at least ${formatUsd(saving.savedMonthlyUsd)} a month: the ${saving.sizeGiB} GiB disk cost ${formatUsd(saving.diskMonthlyUsd)} a month while stopped; `
    + `its image costs at most ${formatUsd(saving.archiveMonthlyUsd)} (snapshots bill only the blocks written; ${saving.priceSource} prices).`;
}

function archiveJson(result: ArchiveResult): ArchiveJson {
  const { saving } = result;
  return {
    name: result.name, region: result.region, imageId: result.imageId, instanceId: result.instanceId, stopped: result.stopped, alreadyArchived: result.alreadyArchived,
    saving: { ...saving, diskMonthlyUsd: roundCents(saving.diskMonthlyUsd), archiveMonthlyUsd: roundCents(saving.archiveMonthlyUsd), savedMonthlyUsd: roundCents(saving.savedMonthlyUsd) },
  };
}

/**
 * `rig archive [NAME] [--yes] [--json]`: keeps a forgotten box's disk as an image and stops paying
 * for the disk. Stops a running instance first (asking, or with --yes), then saves the image,
 * waits until it is confirmed, and terminates; `rig up` then launches from the image.
 * `--forget` drops the record of an archive image that is gone.
 */
export const registerArchiveCommand: CommandRegistrar = (program, { rig: getRig, io, progress, tracked, billed }) => {
  program
    .command('archive')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Save the disk as an image, then terminate: a stopped box stops billing its disk; `rig up` launches from the image.')
    .option('--yes', 'stop a running instance without asking')
    .option('--forget', 'forget the archive image (when it is gone): the next `rig up` launches from the workstation\'s own image')
    .option('--json', 'print { name, region, imageId, instanceId, stopped, alreadyArchived, saving } as JSON')
    .addHelpText('after', '\nExamples:\n  rig archive gpu\n  rig archive --yes --json')
    .action(async (named: string | undefined, opts: { yes?: boolean; forget?: boolean; json?: boolean }) => {
      const out = lineWriter(io.stdout);
      // With --json, stdout holds the one object: the closing lines go to stderr.
      const say = opts.json ? lineWriter(io.stderr) : out;
      const rig = await getRig();
      const name = await workstationFor(rig, io, named, {
        unasked: opts.yes ? (chosen) => `rig archive ${chosen} --yes` : undefined,
      });
      if (opts.forget) {
        const archive = rig.spec(name).archive;
        rig.forgetArchive(name);
        return say(archive ? `${name} is no longer archived to ${archive.imageId}: \`rig up ${name}\` launches from its own image.` : `${name} is not archived; nothing was changed.`);
      }
      const plan = await rig.planArchive(name);
      if (plan.needsStop) {
        const stop = await confirmOrRefuse(io, {
          yes: opts.yes, json: opts.json,
          refusal: `${plan.name}'s instance ${plan.instanceId} is ${plan.state}; it is stopped before its disk is archived, and there is no terminal to ask whether to stop it.`,
          message: `${plan.name} is ${plan.state}. Stop it and archive its disk?`, default: true,
        });
        if (!stop) return say('Nothing was changed.');
      }
      const spec = rig.spec(plan.name);
      billed()?.found({ name: plan.name, region: plan.region, instanceType: spec.instanceType, spot: spec.spot, instanceId: plan.instanceId, state: plan.state });
      const bar = progress();
      const result = await rig.archive(plan, { onStep: tracked(bar) });
      bar.done(`archived to ${result.imageId}`);
      say(result.alreadyArchived
        ? `${result.name} was already archived to ${result.imageId} (${result.instanceId} is terminated); \`rig up ${result.name}\` launches from it.`
        : `${result.name} is archived to ${result.imageId} and ${result.instanceId} is terminated; \`rig up ${result.name}\` launches from the image.`);
      say(savingLine(result.saving));
      if (opts.json) out(jsonText(archiveJson(result), 2));
    });
};
