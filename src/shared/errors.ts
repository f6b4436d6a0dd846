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
  'setupScript', 'nodes', 'gpuSpec', 'archiveAfterDays', 'gpuModel', 'forwards',
] as const;
export const InputFieldSchema = z.enum(INPUT_FIELDS);
export type InputField = z.infer<typeof InputFieldSchema>;

/** Why running it again is the fix. */
export const RETRY_REASONS = ['aborted', 'lock-lost', 'busy', 'throttled', 'aws-unavailable', 'network', 'aws-said', 'snooze', 'copy-interrupted', 'capacity'] as const;

const text = z.string().max(4_000);
const name = z.string().max(64);

/**
 * One thing the user can do, with its arguments. Faces word it (src/cli/fix-wording.ts names a
 * command, src/shared/app-fix-wording.ts names where to click); no step is free text, so neither
 * face shows the other's words.
 */
export const FixStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('retry'), reason: z.enum(RETRY_REASONS) }),
  z.object({ action: z.literal('report-bug') }),
  /**
   * A value to correct: `hint` says how (what kind of value; never a face's verb), `again` that the
   * corrected value has to be given again, which each face words its own way (the CLI: pass it
   * again; the app: save again).
   */
  z.object({ action: z.literal('correct-input'), field: InputFieldSchema, hint: text, again: z.boolean().optional() }),
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
  /** A file CloudRig edits is read-only: make it writable, or make the one-line edit (`line`, added at its top or removed) by hand. */
  z.object({ action: z.literal('make-writable'), path: text, verb: z.enum(['add', 'remove']), line: text }),
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
  /** The clipboard failed: the text to copy by hand. */
  z.object({ action: z.literal('copy-by-hand'), text }),
  /** CloudRig does not open that address (here, or at all): open it in a browser by hand (`url` when it may be shown). */
  z.object({ action: z.literal('open-link-yourself'), url: text.nullable() }),
  /** No setup script is being followed: its log shows while a fresh instance runs it. */
  z.object({ action: z.literal('setup-not-running'), name }),
  /** A tunnel that is not open (any more): open it again. */
  z.object({ action: z.literal('reopen-tunnel'), name: name.nullable(), localPort: z.number().int() }),
  /** The instance runs but has no public address yet: wait a moment, then look again. */
  z.object({ action: z.literal('wait-for-address'), name }),
  /** An instance is not in the last scan of other regions: scan again for the current list. */
  z.object({ action: z.literal('refresh-scan') }),
  /** There is no folder dialog here: push a folder named by its path instead. */
  z.object({ action: z.literal('push-by-path'), name }),
  /** The workstation has no push folder yet: choose one. */
  z.object({ action: z.literal('pick-push-folder'), name }),
  /** A session's instance ended or was replaced: look at the workstation now and connect again (the new instance's key is checked). */
  z.object({ action: z.literal('reconnect'), name: name.nullable() }),
  /** A local port is taken (`reopening`: by a kept tunnel opening again), or cannot be listened on: use another one. */
  z.object({ action: z.literal('use-another-port'), localPort: z.number().int(), remotePort: z.number().int().nullable(), reopening: z.boolean() }),
  /** A terminal cannot be opened with this command: copy the ssh command and run it in a terminal instead. */
  z.object({ action: z.literal('copy-ssh-command') }),
  /** Typed access keys cannot be stored encrypted here: use an AWS profile instead. */
  z.object({ action: z.literal('use-aws-profile') }),
  /** A quota increase is already requested: wait for AWS's answer (`market`: the one a launch would fail in, null for the one launches use). */
  z.object({ action: z.literal('quota-request-open'), market: z.enum(['spot', 'on-demand']).nullable() }),
  /** The instance is not CloudRig's: manage it with AWS's own tools. */
  z.object({ action: z.literal('manage-in-aws') }),
  /** An AWS endpoint override is not a URL: set it to one, or unset it. */
  z.object({ action: z.literal('fix-endpoint') }),
  /** A private key file others can read: make it private (`path` quoted for a shell). */
  z.object({ action: z.literal('make-key-private'), path: text }),
  /** A path on the workstation could not be read or is not a file or folder: check it and its permissions there. */
  z.object({ action: z.literal('check-remote-path'), name: name.nullable() }),
  /** A copy would write through a symbolic link in the destination: copy into a folder without links, or replace them. */
  z.object({ action: z.literal('avoid-links') }),
  /** The workstation listed names that are not plain file names: look at them there, and rename or remove them. */
  z.object({ action: z.literal('inspect-unsafe-names'), name: name.nullable(), count: z.number().int() }),
  /** The user's ssh config is a symlink: make the edit (`line`, `verb`) in its target by hand, or let CloudRig edit the target. */
  z.object({ action: z.literal('edit-ssh-config-target'), target: text, verb: z.enum(['add', 'remove']), line: text }),
  /** The user's ssh config path is not a regular file: move it away, or point CloudRig at the real file. */
  z.object({ action: z.literal('ssh-config-not-a-file') }),
  /** The folder of a file CloudRig edits is not writable: make it so, or make the one-line edit by hand. */
  z.object({ action: z.literal('make-folder-writable'), path: text, file: text, verb: z.enum(['add', 'remove']), line: text }),
  /** A local file or folder CloudRig needs cannot be used: `owner` (check it is one you own), or `permission` (chmod it). */
  z.object({ action: z.literal('fix-access'), path: text, problem: z.enum(['owner', 'permission']), folder: z.boolean() }),
  /** A file stands where CloudRig keeps a folder: move it away. */
  z.object({ action: z.literal('move-file-away'), path: text }),
  /** The pinned host key does not match (`replaced`: the pin is of another instance): forget it (`command`) only if the machine was replaced knowingly. */
  z.object({ action: z.literal('forget-host-key'), name: name.nullable(), command: text, instanceId: text.nullable(), replaced: z.boolean() }),
  /** Nothing on the workstation answered on a forwarded port: check that something listens there. */
  z.object({ action: z.literal('check-remote-port'), name: name.nullable(), port: z.number().int() }),
  /** The workstation's sshd refused sftp: it needs an sftp Subsystem. */
  z.object({ action: z.literal('enable-sftp') }),
  /** The settings were written by a newer CloudRig. */
  z.object({ action: z.literal('update-cloudrig') }),
  /** The settings file is damaged (`field`: the bad value, when one): correct it by hand or move the file away. */
  z.object({ action: z.literal('repair-settings'), path: text, field: text.nullable() }),
  /** The settings file has a misspelt field: rename it. */
  z.object({ action: z.literal('rename-settings-field'), path: text, field: text, meant: text, where: text }),
  /** A value the settings refuse (`field`: its path in the settings). */
  z.object({ action: z.literal('correct-setting'), field: text }),
  /** macOS refused CloudRig control of the terminal (Automation): allow it, or pick another terminal. */
  z.object({ action: z.literal('allow-automation') }),
  /** No editor with Remote-SSH to open: install one. */
  z.object({ action: z.literal('install-editor') }),
  /** The editor could not run, or failed to open `uri`: see its own message. */
  z.object({ action: z.literal('check-editor'), editor: text, uri: text.nullable() }),
  /** Account checks failed: fix them as shown, then check again (`request-quota`: a quota request is offered; `request-quota-again`: it is what is left to run). */
  z.object({ action: z.literal('fix-checks'), then: z.enum(['check-again', 'request-quota', 'request-quota-again']) }),
  /** Wrong arguments to a copy: how it is called. */
  z.object({ action: z.literal('copy-usage'), direction: z.enum(['push', 'pull']) }),
  /** A pull would merge a whole folder into the current one: name a new folder for it (`remote`: what was asked for). */
  z.object({ action: z.literal('pull-into-new-folder'), remote: text }),
  /** No ssh client to run. */
  z.object({ action: z.literal('install-ssh-client') }),
  /** The questions of set-up were cancelled: answer them again, or give every value at once. */
  z.object({ action: z.literal('answer-questions') }),
  /** Only the last-used workstation was found, and the action would not ask: name it (`command`: the same command with its name). */
  z.object({ action: z.literal('name-workstation'), name, command: text }),
  /** The app's page sent what no honest page sends: restart the app. */
  z.object({ action: z.literal('restart-app') }),
  /** A form value the app refused: correct the highlighted field. */
  z.object({ action: z.literal('correct-form') }),
  /** The app's own files are missing: reinstall it. */
  z.object({ action: z.literal('reinstall') }),
  /** Where to see the GPU types (`architecture`: only those that run it). */
  z.object({ action: z.literal('list-gpu-types'), architecture: text.nullable() }),
  /** The setup script finished: save the set-up disk as an image so the next launch starts ready. */
  z.object({ action: z.literal('save-setup-image'), name }),
  /** An instance keeps running after the app quits: how to stop it, now or later. */
  z.object({ action: z.literal('stop-later'), name }),
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
