import { choiceReason, CloudRigError, type Rig } from '../core/app/face.js';
import type { Io } from './output.js';

/**
 * The workstation a command acts on (`name` when given, else the rule of chooseWorkstation), said
 * on stderr when a rule picked it, so stdout stays what the command prints (`--json` included).
 * `unasked`: the command ends something without asking (`rig down --yes`), so a workstation picked
 * only as the last one used is refused; it gives the command that names it.
 */
export async function workstationFor(rig: Rig, io: Pick<Io, 'stderr'>, name: string | undefined,
  options: { readonly unasked?: (name: string) => string } = {}): Promise<string> {
  const choice = await rig.choose(name);
  if (choice.rule === 'last-used' && options.unasked) {
    throw new CloudRigError('WhichWorkstation', `Workstation ${choice.name} is only the last one used, and this command would not ask before acting on it.`,
      { action: 'name-workstation', name: choice.name, command: options.unasked(choice.name) });
  }
  const reason = choiceReason(choice.rule);
  if (reason) io.stderr.write(`Using workstation ${choice.name} (${reason}).\n`);
  return choice.name;
}

/** How each command's optional workstation argument is described in its help. */
export const WORKSTATION_ARGUMENT = 'workstation name (without one: see "Which workstation" in rig --help)';

/** The rule a command without a name follows, in `rig --help`. */
export const WHICH_WORKSTATION_HELP = `
Which workstation:
  A command given no workstation name uses the only workstation; else the only one whose
  instance runs; else, when none runs, the only one with an instance (pending, stopping or
  stopped); else the last one a command named (never for \`rig down --yes\`). It says which on
  stderr, e.g. "Using workstation other (the only one running)." \`rig rm NAME\` removes one.
`;
