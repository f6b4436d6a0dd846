import type { FixStep } from './errors.js';
import { unworded } from './fix-steps.js';

/** The actions both faces word alike: nothing in them is a command or a click. */
const SAME_IN_BOTH = [
  'copy-by-hand', 'open-link-yourself', 'quota-request-open', 'manage-in-aws', 'edit-ssh-config-target', 'ssh-config-not-a-file',
  'make-folder-writable', 'enable-sftp', 'update-cloudrig', 'rename-settings-field', 'correct-setting', 'restart-app', 'reinstall',
] as const;

/** A step both faces word alike. */
export type SameWordedStep = Extract<FixStep, { action: (typeof SAME_IN_BOTH)[number] }>;

/** Whether both faces word this step alike (then `sameWording` words it). */
export function isSameWorded(step: FixStep): step is SameWordedStep {
  return (SAME_IN_BOTH as readonly string[]).includes(step.action);
}

/** A one-line edit of a file made by hand (`whose`: "its" for the file just named, or the file's path). */
export function byHand(verb: 'add' | 'remove', line: string, whose: string): string {
  return verb === 'add'
    ? `add this line at ${whose === 'its' ? 'its top' : `the top of ${whose}`} yourself: ${line}`
    : `delete this line from ${whose === 'its' ? 'it' : whose} yourself: ${line}`;
}

/** A correct-input step's hint, followed (when the value has to be given again) by the face's words for that, `again`. */
export function inputHint(step: Extract<FixStep, { action: 'correct-input' }>, again: string): string {
  return step.again === true ? `${step.hint.replace(/\.\s*$/, '')}, then ${again}.` : step.hint;
}

/** The words of a step that reads the same in the CLI and in the app. */
export function sameWording(step: SameWordedStep): string {
  switch (step.action) {
    case 'copy-by-hand': return `Copy it by hand: ${step.text}`;
    case 'open-link-yourself': return step.url === null ? 'Open it in your browser yourself.' : `Open ${step.url} in your browser yourself.`;
    case 'quota-request-open':
      return `Wait for AWS to answer it (usually within a day; you get an email); until then ${step.market === null ? 'the launch' : `a ${step.market} launch`} would fail.`;
    case 'manage-in-aws': return 'Manage it in the EC2 console or with the AWS CLI.';
    case 'edit-ssh-config-target':
      return `Open ${step.target} and ${byHand(step.verb, step.line, 'its')} — or set CLOUDRIG_SSH_CONFIG=${step.target} to let CloudRig edit that file.`;
    case 'ssh-config-not-a-file': return 'Move it away, or set CLOUDRIG_SSH_CONFIG to your ssh config file.';
    case 'make-folder-writable': return `Make ${step.path} writable for you, or ${byHand(step.verb, step.line, step.file)}`;
    case 'enable-sftp': return 'Check that the workstation\'s sshd has an sftp Subsystem (the default on Ubuntu and Amazon Linux).';
    case 'update-cloudrig': return 'Update CloudRig (the app and the command line) to the newest version.';
    case 'rename-settings-field': return `Rename ${step.field} to ${step.meant} in ${step.path} (at ${step.where}).`;
    case 'correct-setting': return `Correct ${step.field} and try again.`;
    case 'restart-app': return 'This is a bug or a tampered page; restart CloudRig.';
    case 'reinstall': return 'Reinstall CloudRig from its installer.';
    default: return unworded(step);
  }
}
