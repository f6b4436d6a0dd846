import { Option } from 'commander';
import { type RemovalChoices, type RemovalPlan, resourceName, uncoveredRemoval } from '../core/app/face.js';
import { lineWriter } from './output.js';
import { confirmOrRefuse } from './prompt.js';
import { workstationName, type CommandRegistrar } from './program.js';

/** What the removal will do, as the confirmation asks it. */
function summary(plan: RemovalPlan, choices: Pick<RemovalChoices, 'images'>): string {
  const parts: string[] = [];
  if (plan.instances.length) parts.push(`terminate ${plan.instances.map((i) => i.instanceId).join(', ')} (its disk is deleted)`);
  if (plan.images.length) parts.push(`${choices.images === 'delete' ? 'delete' : 'keep'} ${plan.images.length} saved image${plan.images.length === 1 ? '' : 's'}`);
  const resource = resourceName(plan.name);
  parts.push(`delete key pair ${resource} (and its private key here) and security group ${resource} in ${plan.region}`);
  return parts.join(', ');
}

/** `rig rm NAME`: removes a workstation in AWS and here, once told what becomes of its instance and images. */
export const registerRemoveCommand: CommandRegistrar = (program, { rig, io, progress }) => {
  const out = lineWriter(io.stdout);
  program
    .command('rm')
    .argument('<name>', 'the workstation to remove', workstationName)
    .summary('Remove a workstation: in AWS (key pair, security group) and here (settings, key, pins).')
    .description('Remove a workstation: its key pair and security group in AWS, and its settings, private key, host-key pins and state here. Refused while it has an instance or saved images unless told what becomes of them; running it again finishes an interrupted removal.')
    .option('--terminate', 'terminate its instance too (its disk is deleted)')
    .addOption(new Option('--delete-images', 'delete its saved images too (with their snapshots)').conflicts('keepImages'))
    .option('--keep-images', 'leave its saved images in AWS (their snapshots stay billed)')
    .option('--yes', 'do not ask for confirmation')
    .action(async (name: string, opts: { terminate?: boolean; deleteImages?: boolean; keepImages?: boolean; yes?: boolean }) => {
      const c = await rig();
      // An unknown name lists the known ones (or names CloudRig's instances AWS runs under it).
      await c.known(name);
      const choices = { terminate: opts.terminate === true, images: opts.deleteImages ? 'delete' as const : opts.keepImages ? 'keep' as const : null };
      const plan = await c.removalPlan(name);
      const refusal = uncoveredRemoval(plan, choices);
      if (refusal) throw refusal;
      const go = await confirmOrRefuse(io, {
        yes: opts.yes,
        refusal: `Refusing to remove workstation ${name} without confirmation (no terminal to ask on): it would ${summary(plan, choices)}.`,
        message: `Remove workstation ${name}: ${summary(plan, choices)}?`, default: false,
      });
      if (!go) return out('Nothing was removed.');
      const bar = progress();
      const removal = await c.remove(name, { ...choices, onStep: bar.step });
      bar.done(`workstation ${name} removed`);
      if (removal.terminated.length) out(`Terminated: ${removal.terminated.join(', ')}.`);
      if (removal.deletedImages.length) out(`Deleted images: ${removal.deletedImages.join(', ')}.`);
      if (removal.keptImages.length) out(`Kept images (still billed for their snapshots): ${removal.keptImages.join(', ')}.`);
      out(`Workstation ${name} is removed: its key pair and security group in AWS, and its settings, key and pins here.`);
    });
};
