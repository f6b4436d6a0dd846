import { CloudRigError, type SkyPilotTask, validateGpuSpec, validateInteger } from '../core/app/face.js';
import { Document } from 'yaml';
import { flag, lineWriter } from './output.js';
import { workstationName, type CommandRegistrar } from './program.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';

/** The task as YAML, with a header saying where it came from and how to launch it. */
export function skyPilotYaml(task: SkyPilotTask): string {
  const document = new Document(task);
  document.commentBefore = [
    ` SkyPilot task for the CloudRig workstation ${task.name}: the same account, region, type, image,`,
    ' disk, market and setup script. Launch it with: sky launch -c NAME THIS_FILE',
    ' SkyPilot runs `setup` as the login user (sudo is available); CloudRig ran it as root on first boot.',
  ].join('\n');
  return document.toString({ lineWidth: 0 });
}

/** `rig export [name] --skypilot [--nodes N] [--gpus MODEL:COUNT]`: a task file on stdout. */
export const registerExportCommand: CommandRegistrar = (program, { rig, io }) => {
  program
    .command('export')
    .argument('[name]', WORKSTATION_ARGUMENT, workstationName)
    .description('Print a SkyPilot task file that launches what the workstation launches, for when one box is not enough.')
    .option('--skypilot', 'as a SkyPilot task (YAML; the only format for now)')
    .option('--nodes <n>', 'how many nodes SkyPilot launches (default 1)', flag((v) => validateInteger(v, 'nodes', 1, 512)))
    .option('--gpus <model:count>', 'ask SkyPilot for these GPUs instead of the workstation\'s type, e.g. A10G:4', flag(validateGpuSpec))
    .addHelpText('after', '\nExample:\n  rig export gpu --skypilot --nodes 2 > gpu.sky.yaml && sky launch -c gpu-x2 gpu.sky.yaml')
    .action(async (name: string | undefined, opts: { skypilot?: boolean; nodes?: number; gpus?: string }) => {
      if (!opts.skypilot) {
        throw new CloudRigError('InvalidInput', 'Say which format to export.', { action: 'correct-input', field: 'name', hint: 'pass --skypilot (the only format for now).' });
      }
      const c = await rig();
      const task = await c.account.exportSkyPilot(await workstationFor(c, io, name), { nodes: opts.nodes ?? 1, gpus: opts.gpus ?? null });
      lineWriter(io.stdout)(skyPilotYaml(task).trimEnd());
    });
};
