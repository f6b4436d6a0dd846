import * as z from 'zod';

/**
 * Every error code CloudRig raises. Most are its own; a few keep the AWS code they map
 * (`VcpuLimitExceeded`, `InsufficientInstanceCapacity`, …) since users search for those. An AWS
 * error CloudRig has no words for is `AwsError`, its AWS code kept in the message.
 */
export const ERROR_CODES = [
  // Input and settings
  'InvalidInput', 'InvalidPayload', 'InvalidSnooze', 'InvalidAutoStop', 'NeedsConfirmation', 'SettingsDamaged', 'SettingsTooNew',
  'HomeUnusable', 'UnusablePath', 'UnsafeSshConfigValue',
  // Workstations and their instances
  'NoWorkstation', 'WhichWorkstation', 'UnknownWorkstation', 'WorkstationNotInThisHome', 'WorkstationInUse', 'NoInstance',
  'NotRunning', 'NotManaged', 'DuplicateInstances', 'InstanceInterrupted', 'LaunchFailed', 'NoImage', 'NotOurImage', 'ImageFailed',
  'CannotResize', 'ArchiveImageGone', 'Timeout', 'Aborted', 'Busy', 'LockLost', 'InvalidSetupScript', 'UserDataTooLarge', 'SetupScriptFailed', 'SetupScriptIncomplete', 'NoAddress',
  // AWS
  'NoCredentials', 'ExpiredCredentials', 'InvalidCredentials', 'ClockSkew', 'KeyStorageUnavailable', 'UnauthorizedOperation', 'UnknownRegion',
  'InvalidEndpoint', 'EndpointUnreachable', 'AwsUnavailable', 'RequestLimitExceeded', 'VcpuLimitExceeded', 'QuotaRequestOpen', 'QuotaUnknown',
  'InsufficientInstanceCapacity', 'IdempotentParameterMismatch', 'InvalidKeyPair.NotFound', 'InvalidAMIID', 'ParameterNotFound',
  'NoDefaultVpc', 'KeyPairFailed', 'KeyPairWithoutPrivateKey', 'PublicIpLookupFailed', 'AwsError',
  // ssh and the local machine
  'KeyMissing', 'KeyPermissions', 'HostKeyMismatch', 'SessionEnded', 'SshFailed', 'SshCommandTimeout', 'SshTimeout', 'SshNotAnswering', 'NoSsh',
  'SnoozeFailed', 'SshOutputTooLarge', 'SshConfigIsSymlink', 'SshConfigNotAFile', 'SshConfigReadOnly', 'SshConfigNotWritable', 'SshConfigUnreadable', 'SshConfigNotIncluded',
  'NoJupyter', 'PortInUse', 'SftpFailed', 'TunnelFailed', 'TunnelRefused', 'NoEditor', 'EditorFailed', 'NoTerminal', 'TerminalNotFound', 'TerminalFailed', 'ChecksFailed',
  // The app
  'AppDamaged', 'ClipboardFailed', 'LinkRefused', 'UnknownChannel', 'UntrustedSender', 'Unexpected',
  // The app's push folder
  'FolderMissing',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
/** A CloudRig error code. */
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** Whether a string is one of CloudRig's error codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * A value the user types or picks: each face names it its own way (the CLI a flag or argument,
 * the app a field of a form).
 */
export const INPUT_FIELDS = [
  'name', 'nameArgument', 'region', 'instanceType', 'instanceTypeArgument', 'image', 'imageParameter', 'imageIdArgument', 'diskGiB', 'sshUser', 'sshHost',
  'sshPort', 'ingressCidr', 'timeout', 'idleMinutes', 'autoStop', 'snoozeHours', 'folder', 'localPort', 'statsInterval',
  'setupScript', 'nodes', 'gpuSpec', 'archiveAfterDays',
] as const;
export const InputFieldSchema = z.enum(INPUT_FIELDS);
export type InputField = z.infer<typeof InputFieldSchema>;

/** Why running it again is the fix. */
export const RETRY_REASONS = ['aborted', 'lock-lost', 'busy', 'throttled', 'aws-unavailable', 'network', 'aws-said', 'snooze'] as const;

const text = z.string().max(4_000);
const name = z.string().max(64);

/**
 * One thing the user can do, with its arguments. Faces word it (src/cli/fix-wording.ts names a
 * command, src/shared/app-fix-wording.ts names where to click); `advice` is plain text that names
 * neither, for what no product action does.
 */
export const FixStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('advice'), text }),
  z.object({ action: z.literal('retry'), reason: z.enum(RETRY_REASONS) }),
  z.object({ action: z.literal('report-bug') }),
  z.object({ action: z.literal('correct-input'), field: InputFieldSchema, hint: text }),
  z.object({ action: z.literal('raise-disk'), minGiB: z.number().int() }),
  z.object({ action: z.literal('confirm-anywhere') }),
  z.object({ action: z.literal('edit-workstation'), name: name.nullable(), field: InputFieldSchema, value: text }),
  z.object({ action: z.literal('give-own-address') }),
  z.object({ action: z.literal('create-workstation'), name: name.nullable() }),
  z.object({ action: z.literal('choose-workstation'), names: z.array(name), missing: name.nullable() }),
  z.object({ action: z.literal('adopt-workstation'), name, region: text, instanceType: text }),
  z.object({ action: z.literal('terminate-first'), name }),
  /** A workstation being removed still has an instance or saved images: say what becomes of them. */
  z.object({ action: z.literal('settle-before-removal'), name, holds: z.enum(['instance', 'images']) }),
  z.object({ action: z.literal('start'), name }),
  z.object({ action: z.literal('nothing-to-stop'), name }),
  z.object({ action: z.literal('stop-billing'), name, instanceId: text, region: text }),
  z.object({ action: z.literal('find-launch'), name }),
  z.object({ action: z.literal('check-launch'), name: name.nullable() }),
  z.object({ action: z.literal('terminate-duplicates'), name, keep: text }),
  z.object({ action: z.literal('after-interruption'), name, stopped: z.boolean() }),
  /** AWS took a spot instance's capacity back: `stopped` (a persistent request restarts it) or terminated. */
  z.object({ action: z.literal('spot-interrupted'), name, stopped: z.boolean() }),
  z.object({ action: z.literal('wait-longer'), state: text }),
  z.object({ action: z.literal('check-ssh-access'), name, sshUser: text, waiting: z.boolean() }),
  z.object({ action: z.literal('check-workstation-answers'), name: name.nullable() }),
  /** A command on the box printed past the cap: find what prints without end (`command`: what CloudRig ran, when it is one the user knows). */
  z.object({ action: z.literal('inspect-box-output'), name: name.nullable(), command: text.nullable() }),
  z.object({ action: z.literal('retry-image'), name }),
  z.object({ action: z.literal('wait-for-image'), name }),
  z.object({ action: z.literal('review-image'), name, imageId: text }),
  z.object({ action: z.literal('list-images'), name }),
  /** An archive stopped before its end: running it again reuses the image and terminates only once it is available. */
  z.object({ action: z.literal('archive-again'), name }),
  /** The image a workstation was archived to is gone: forget it, so the next launch uses the workstation's own image. */
  z.object({ action: z.literal('forget-archive'), name, imageId: text }),
  /** `market`: the quota of the market the workstation does not launch in (rig doctor names it to file for that one). */
  /** `instanceType`: the type the quota is needed for, when it is not the workstation's (a resize). */
  z.object({ action: z.literal('request-quota'), region: text, quotaCode: text, quotaName: text, desired: z.number(), market: z.enum(['spot', 'on-demand']).optional(), instanceType: text.optional() }),
  /** The quota could not be read: how to read it another way. */
  z.object({ action: z.literal('check-quota'), region: text, quotaCode: text, quotaName: text }),
  /** `name`: the workstation whose launch found no capacity, so the fix edits that one. */
  z.object({ action: z.literal('other-capacity'), instanceType: text.nullable(), similar: text.nullable(), similarGpu: text.nullable().optional(), otherMarket: z.enum(['spot', 'on-demand']).nullable(), name: name.optional() }),
  z.object({ action: z.literal('configure-credentials'), profile: text.nullable(), problem: z.enum(['missing', 'expired', 'invalid']) }),
  z.object({ action: z.literal('grant-permissions') }),
  /** AWS refused the request's time: this computer's clock is off. */
  z.object({ action: z.literal('sync-clock') }),
  z.object({ action: z.literal('start-jupyter'), name, port: z.number().int() }),
  z.object({ action: z.literal('reset-launch') }),
  z.object({ action: z.literal('recreate-key'), name: name.nullable() }),
  // region and instanceType let the fix be a whole `rig init` for a workstation this home has not saved yet.
  z.object({ action: z.literal('replace-key'), name, region: text.optional(), instanceType: text.optional() }),
  z.object({ action: z.literal('restore-key'), path: text }),
  z.object({ action: z.literal('delete-key-pair'), keyName: text, region: text }),
  z.object({ action: z.literal('check-image'), region: text }),
  z.object({ action: z.literal('choose-image'), parameter: text.nullable() }),
  z.object({ action: z.literal('choose-region') }),
  z.object({ action: z.literal('create-default-vpc'), region: text }),
  z.object({ action: z.literal('choose-home'), problem: z.enum(['unusable', 'empty', 'not-writable']), suggested: text.nullable() }),
  z.object({ action: z.literal('move-home') }),
  z.object({ action: z.literal('pick-terminal'), installed: z.array(text).nullable() }),
  z.object({ action: z.literal('install-terminal'), linux: z.boolean() }),
  z.object({ action: z.literal('make-writable'), path: text, verb: z.enum(['add', 'remove']), otherwise: text }),
  z.object({ action: z.literal('install-ssh-config') }),
  /** The Include line is missing (rig doctor): add it so `ssh <name>` works. */
  z.object({ action: z.literal('include-ssh-config'), name: name.nullable() }),
  /** Something init makes (the security group) is gone: run init again with the saved settings. */
  z.object({ action: z.literal('rerun-init'), name }),
  /** The region exists but the account has not enabled it (an opt-in region). */
  z.object({ action: z.literal('enable-region'), region: text }),
  /** Confirm a destructive action that no one could be asked about (no terminal). */
  z.object({ action: z.literal('confirm') }),
  /** An instance launched with a key pair whose private key was replaced: replace the instance too. */
  z.object({ action: z.literal('replace-stranded-instance'), name }),
  /** The setup script failed, was cut off, or never started: read its log (at `log` on the box), fix it, run it on a fresh instance. */
  z.object({ action: z.literal('fix-setup-script'), name, problem: z.enum(['failed', 'interrupted', 'not-started']), log: text }),
  /** Following the setup script stopped (a timeout); it keeps running on the box: follow it again. */
  z.object({ action: z.literal('follow-setup'), name, log: text }),
  /** A spot instance's type cannot change: save its disk as an image, change the spec, launch from the image. */
  z.object({ action: z.literal('resize-by-relaunch'), name, instanceType: text }),
  /** The instance runs: it has to stop before its type can change. */
  z.object({ action: z.literal('stop-to-resize'), name, instanceType: text }),
  /** Nothing showed that the image carries the NVIDIA driver the new type needs: confirm it does, or use an image that has it. */
  z.object({ action: z.literal('confirm-driver'), name, instanceType: text }),
  /** A stopped instance's type has no capacity: change its type (the disk is kept), to `instanceType` when a similar one is known. */
  z.object({ action: z.literal('resize-for-capacity'), name, instanceType: text.nullable(), similarGpu: text.nullable() }),
  /** The app's push folder is gone: choose it again (or put it back). */
  z.object({ action: z.literal('choose-push-folder'), name, path: text }),
]);
/** One thing the user can do. */
export type FixStep = z.infer<typeof FixStepSchema>;
/** The actions a fix can name. */
export type FixAction = FixStep['action'];

/** How to fix an error: one step, or steps in order (e.g. the original fix, then how to stop the billing). */
export const FixSchema = z.union([FixStepSchema, z.object({ action: z.literal('steps'), steps: z.array(FixStepSchema).min(1) })]);
export type Fix = z.infer<typeof FixSchema>;

/** An error the user can act on, as it crosses IPC and reaches a face. */
export const ErrorInfoSchema = z.object({ code: ErrorCodeSchema, message: text, fix: FixSchema });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** A fix that is plain text (no product action applies). */
export function advice(text: string): FixStep {
  return { action: 'advice', text };
}

/** The steps of a fix, in order. */
export function fixSteps(fix: Fix): readonly FixStep[] {
  return fix.action === 'steps' ? fix.steps : [fix];
}

/** `first`, then `next`: one flat list of steps. */
export function thenFix(first: Fix, next: FixStep): Fix {
  return { action: 'steps', steps: [...fixSteps(first), next] };
}

/** Joins worded steps as sentences ("Do this. Then that."). */
export function joinSteps(words: readonly string[]): string {
  return words.map((word, i) => (i < words.length - 1 ? word.replace(/\.?\s*$/, '.') : word)).join(' ');
}

/** For the `never` check in a face's wording: a step no case handled. */
export function unworded(step: never): never {
  throw new Error(`No wording for fix ${JSON.stringify(step)}`);
}
