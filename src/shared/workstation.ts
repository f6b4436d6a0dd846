import * as z from 'zod';
import { isAnywhereCidr, parseIpv4Cidr } from './cidr.js';
import type { ErrorInfo } from './errors.js';
import { ARCHIVE_AFTER_DAYS, DISK_GIB, GPU_BUSY_PERCENT, IDLE_MINUTES, SSH_PORT, WORKSTATION_NAME_PATTERN } from './limits.js';

/** The SSM public parameter of the Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04). */
export const DEFAULT_AMI_PARAMETER =
  '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id';

/** Where the workstation's image comes from. */
export const ImageSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ami'), imageId: z.string() }),
  z.object({ kind: z.literal('parameter'), path: z.string() }),
]);
export type ImageSource = z.infer<typeof ImageSourceSchema>;

/** Idle auto-stop that runs on the instance itself. */
export const AutoStopSchema = z.object({
  enabled: z.boolean().default(true),
  idleMinutes: z.number().int().min(IDLE_MINUTES.min).max(IDLE_MINUTES.max).default(60),
  gpuBusyPercent: z.number().int().min(GPU_BUSY_PERCENT.min).max(GPU_BUSY_PERCENT.max).default(10),
});
export type AutoStop = z.infer<typeof AutoStopSchema>;

/** A login name ssh can pass safely: POSIX portable characters, never starting with `-`. */
export const SSH_USER_PATTERN = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;

/** Whether `user` is a login name CloudRig will hand to ssh. */
export function isSshUser(user: string): boolean {
  return SSH_USER_PATTERN.test(user);
}

const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all = halves.flatMap(groups);
  // An embedded IPv4 address (::ffff:192.0.2.1) counts as two groups and must come last.
  const last = all.at(-1) ?? '';
  const v4 = last.includes('.');
  if (v4 && !isIpv4(last)) return false;
  const hex = v4 ? all.slice(0, -1) : all;
  if (!hex.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  const count = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/**
 * Whether `host` is a host name, an IPv4 address or an IPv6 literal (without brackets): nothing
 * that could start an ssh option or carry shell metacharacters or whitespace.
 */
export function isSshHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (isIpv4(host) || isIpv6(host)) return true;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.split('.').every((label) => HOST_LABEL.test(label)) && !/^[\d.]+$/.test(name);
}

/**
 * The most a setup script may hold as text: EC2's 16 KB of user data. The launch sends the user
 * data gzip-compressed, so whether a script fits beside the idle watchdog and the host key depends
 * on how well it compresses; that is checked on the compressed bytes when the spec is saved.
 */
export const SETUP_SCRIPT_MAX_BYTES = 16_384;

/** The length of `text` in UTF-8 bytes (no TextEncoder here: shared code has neither DOM nor Node types). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** A setup script's text: not blank, no NUL byte, small enough to fit in the user data. */
export const SetupScriptSchema = z.string()
  .refine((text) => text.trim() !== '', 'is empty; give a script with at least one command')
  .refine((text) => !text.includes('\0'), 'holds a NUL byte; give a text file')
  .refine((text) => utf8Length(text) <= SETUP_SCRIPT_MAX_BYTES, `is over ${SETUP_SCRIPT_MAX_BYTES} bytes; keep it short and have it download anything larger`);

/**
 * The image a workstation was archived to (`rig archive`): its instance was terminated once this
 * image was available, so the next launch starts from it. Cleared by that launch.
 */
export const ArchiveRecordSchema = z.object({
  imageId: z.string().regex(/^ami-[0-9a-f]{8,17}$/),
  /** The instance the image was made from (terminated after the image was available). */
  instanceId: z.string(),
  /** When the image was confirmed available (ISO 8601). */
  archivedAt: z.string(),
});
export type ArchiveRecord = z.infer<typeof ArchiveRecordSchema>;

/** A named workstation: everything needed to launch it again the same way. */
export const WorkstationSpecSchema = z.object({
  name: z.string().regex(WORKSTATION_NAME_PATTERN),
  region: z.string(),
  instanceType: z.string(),
  image: ImageSourceSchema,
  /** Use the newest image saved from this workstation when there is one. */
  preferSavedImage: z.boolean().default(true),
  diskGiB: z.number().int().min(DISK_GIB.min).max(DISK_GIB.max).default(100),
  spot: z.boolean().default(false),
  sshUser: z.string().refine(isSshUser, 'not a login name (letters, digits, . _ -; not starting with -), e.g. ubuntu').default('ubuntu'),
  sshHost: z.string().refine(isSshHost, 'not a host name or IP address, e.g. 203.0.113.7 or gpu.example.com').optional(),
  sshPort: z.number().int().min(SSH_PORT.min).max(SSH_PORT.max).default(22),
  /** The CIDR admitted on tcp/22; resolved from the public IP when the user said `auto`. */
  ingressCidr: z.string().refine((value) => parseIpv4Cidr(value)?.canonical === value,
    'must be an IPv4 range with no host bits set, e.g. 203.0.113.7/32'),
  /** The user confirmed that ssh may be reached from every address (`rig init --allow-anywhere`). */
  ingressAnywhere: z.boolean().optional(),
  /** The CIDR follows the user's public IP: refreshed at every `up` (laptops move). */
  ingressAuto: z.boolean().optional(),
  autoStop: AutoStopSchema.default({ enabled: true, idleMinutes: 60, gpuBusyPercent: 10 }),
  /**
   * Seed the instance's ssh host key through cloud-init, so it is pinned before the first
   * connection (absent means on). Off only for an image without cloud-init: the key is then taken
   * on first use and shown as unverified.
   */
  seedHostKey: z.boolean().optional(),
  /** A script run once, as root, on the first boot of a fresh instance (`rig init --setup FILE`). */
  setupScript: SetupScriptSchema.optional(),
  /** Days stopped before the reminder offers Archive (absent: ARCHIVE_AFTER_DAYS.default). */
  archiveAfterDays: z.number().int().min(ARCHIVE_AFTER_DAYS.min).max(ARCHIVE_AFTER_DAYS.max).optional(),
  /** Archive it automatically after that many days stopped, with a notice the day before (absent: off). */
  autoArchive: z.boolean().optional(),
  /** Set once the workstation is archived: the next launch starts from this image. */
  archive: ArchiveRecordSchema.optional(),
}).superRefine((spec, context) => {
  // A hand-edited 0.0.0.0/0 must not open ssh to the world without the recorded confirmation.
  if (isAnywhereCidr(spec.ingressCidr) && spec.ingressAnywhere !== true) {
    context.addIssue({ code: 'custom', path: ['ingressCidr'], message: `${spec.ingressCidr} admits every address; it needs "ingressAnywhere": true, the recorded confirmation that ssh may be open to everyone` });
  }
});
export type WorkstationSpec = z.infer<typeof WorkstationSpecSchema>;

/** What the user sees as the workstation's phase. `ready` means ssh answers. */
export const PHASES = [
  'absent',
  'launching',
  'pending',
  'running',
  'ready',
  'stopping',
  'stopped',
  'imaging',
  'terminating',
  'error',
] as const;
export type Phase = (typeof PHASES)[number];

/** The EC2 instance state names CloudRig deals with. */
export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** Facts about the workstation's instance as EC2 reports them. */
export interface InstanceFacts {
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly instanceType: string;
  readonly publicIp: string | null;
  readonly publicDns: string | null;
  readonly launchedAt: string | null;
  readonly availabilityZone: string | null;
  readonly spot: boolean;
  readonly imageId: string | null;
  /** EC2's StateTransitionReason / StateReason code, e.g. `Client.InstanceInitiatedShutdown`. */
  readonly stateReason: string | null;
  /** The ClientToken of the RunInstances that made it, when EC2 reports one: tells a process which launches were its own. */
  readonly clientToken?: string;
}

/** An error the user can act on (its code, message and structured fix). */
export type { ErrorInfo };

/** A step of a long operation, as shown in progress output. */
export interface Step {
  readonly id: string;
  readonly label: string;
  /** The instance the step acts on, when it names one (a launch answered, a start, a terminate). */
  readonly instanceId?: string;
  /** The image the step acts on (saving an image before a terminate). */
  readonly imageId?: string;
}

/**
 * How far the workstation's ssh host key is trusted: `verified` when the pinned key came from
 * the instance itself before the first connection, `unverified` when it was taken on first use.
 */
export type HostKeyTrust = 'verified' | 'unverified';

/** Everything a surface needs to show one workstation at one moment. */
export interface Snapshot {
  readonly name: string;
  readonly region: string;
  readonly instanceType: string;
  readonly phase: Phase;
  readonly instance: InstanceFacts | null;
  readonly sshCommand: string | null;
  readonly error: ErrorInfo | null;
  /** The step under way during a transition, null when steady. */
  readonly step: Step | null;
  /** Epoch ms of this observation. */
  readonly observedAt: number;
  /** Epoch ms when ssh first answered for this run of the instance, null otherwise. */
  readonly readyAt: number | null;
  /** Trust in the host key ssh last answered with; null (or absent) before ssh answered. */
  readonly hostKey?: HostKeyTrust | null;
  /**
   * Every live (pending/running/stopping/stopped) instance tagged for this workstation, oldest
   * first, when there is more than one: an error state, each of them is billed. Absent or empty
   * when there is at most one.
   */
  readonly duplicates?: readonly InstanceFacts[];
  /** The spot market reclaimed the instance (EC2's state reason says so); absent when not. */
  readonly spotInterrupted?: boolean;
  /**
   * The setup script failed (or was cut off) on this very instance: remembered in the home until
   * the next fresh launch, so every status and the next `rig up` say so. Absent when not.
   */
  readonly setupFailure?: ErrorInfo;
}

/** A saved image of a workstation. */
export interface SavedImage {
  readonly imageId: string;
  readonly name: string;
  readonly state: string;
  readonly createdAt: string | null;
  readonly snapshotIds: readonly string[];
  readonly sizeGiB: number;
}

/** One instance found by an all-region scan. */
export interface ScannedInstance {
  readonly region: string;
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly instanceType: string;
  /** The CloudRig workstation it belongs to, or null for instances CloudRig did not create. */
  readonly workstation: string | null;
  readonly launchedAt: string | null;
}
