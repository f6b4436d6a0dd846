import { chooseWorkstation, choiceReason } from '../core/app/workstation-choice.js';
import type { CloudRigCore } from '../core/app/cloudrig-core.js';
import type { Io } from './output.js';

/**
 * The workstation a command acts on (`name` when given, else the rule of chooseWorkstation), said
 * on stderr when a rule picked it, so stdout stays what the command prints (`--json` included).
 */
export async function workstationFor(core: CloudRigCore, io: Pick<Io, 'stderr'>, name: string | undefined): Promise<string> {
  const choice = await chooseWorkstation(core, name);
  const reason = choiceReason(choice.rule);
  if (reason) io.stderr.write(`Using workstation ${choice.name} (${reason}).\n`);
  return choice.name;
}
