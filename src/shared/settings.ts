import * as z from 'zod';
import { WorkstationSpecSchema } from './workstation.js';
import { IDLE_MINUTES } from './limits.js';

/** Current version of the settings file's schema; migrations in adapters/store bring older files up. */
export const SETTINGS_VERSION = 1;

/** When the app reminds the user that a workstation still costs money, and budgets; times are local. */
export const RemindersSchema = z.object({
  afterHours: z.number().min(0.25).max(48).default(2),
  repeatHours: z.number().min(0.25).max(48).default(1),
  dailyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).nullable().default('23:00'),
  idleMinutes: z.number().int().min(IDLE_MINUTES.min).max(IDLE_MINUTES.max).default(30),
  monthlyBudgetUsd: z.number().min(0).nullable().default(null),
  sessionBudgetUsd: z.number().min(0).nullable().default(null),
  autoStopAtBudget: z.boolean().default(false),
});
export type Reminders = z.infer<typeof RemindersSchema>;

// The app's own per-workstation choices (its push folder, tunnels re-opened on start), kept beside the shared spec.
/** A local folder the app pushes to a workstation ("push my project on start"). */
export const ProjectFolderSchema = z.object({
  /** Absolute path on this computer, as the folder dialog gave it. */
  local: z.string().min(1).max(4096),
  /** Where it goes on the workstation (relative to the login home, or absolute); default ~/<basename>. */
  remote: z.string().min(1).max(4096),
  pushOnStart: z.boolean().default(false),
});
export type ProjectFolder = z.infer<typeof ProjectFolderSchema>;

/** A tunnel the user asked to re-open each time its workstation is ready, on the same local port. */
export const RememberedTunnelSchema = z.object({
  /** The preset (jupyter, tensorboard), or null for a custom forward. */
  label: z.string().max(64).nullable(),
  localPort: z.number().int().min(1).max(65_535),
  remoteHost: z.string().min(1).max(253),
  remotePort: z.number().int().min(1).max(65_535),
});
export type RememberedTunnel = z.infer<typeof RememberedTunnelSchema>;

/** The settings file shared by the app and the CLI. Never holds a secret in plain text. */
export const SettingsSchema = z.object({
  schemaVersion: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
  /** AWS profile from ~/.aws; null means the SDK's default chain. */
  profile: z.string().nullable().default(null),
  /** URL that answers with the caller's public IPv4 (checkip format). */
  myIpUrl: z.string().url().default('https://checkip.amazonaws.com'),
  /** Terminal app override (see adapters/terminal); null picks the platform's. */
  terminal: z.string().nullable().default(null),
  /** Legacy (see LegacyAppFields): the app's start at login, before it had a store of its own. */
  startAtLogin: z.boolean().optional(),
  /** Name of the workstation the app shows. */
  current: z.string().nullable().default(null),
  /** When the popover last switched to each workstation (epoch ms): its switcher lists the last used first. */
  lastUsed: z.record(z.string(), z.number()).default({}),
  reminders: RemindersSchema.default(RemindersSchema.parse({})),
  workstations: z.record(z.string(), WorkstationSpecSchema).default({}),
  /** The user's ssh config includes CloudRig's (`rig ssh-config --install`): surfaces show `ssh <name>`. */
  sshConfigInstalled: z.boolean().default(false),
  /** Legacy (see LegacyAppFields): access keys typed into the app, sealed (base64 ciphertext). */
  encryptedCredentials: z.string().nullable().optional(),
  /** The folder the app pushes to each workstation, by workstation name (absent: none chosen). */
  projectFolders: z.record(z.string(), ProjectFolderSchema).default({}),
  /** The tunnels re-opened when each workstation is next ready, by workstation name. */
  reopenTunnels: z.record(z.string(), z.array(RememberedTunnelSchema).max(32)).default({}),
});
/**
 * The settings both faces use. The app's own fields that earlier versions kept here are left out
 * of the type: nothing but the app's one-time move (legacyAppFields) reads them.
 */
export type Settings = Omit<z.infer<typeof SettingsSchema>, keyof LegacyAppFields>;

/**
 * What the app kept in this file before it had a store of its own (src/main's app state). They stay
 * known to the schema, so `rig` neither warns about them nor drops them, until the app has moved
 * them; optional, so no writer adds them back to a file that no longer has them.
 */
export interface LegacyAppFields {
  readonly encryptedCredentials?: string | null;
  readonly startAtLogin?: boolean;
}

/** The legacy app fields a settings file still holds (absent ones left out). */
export function legacyAppFields(settings: Settings): LegacyAppFields {
  const { encryptedCredentials, startAtLogin } = settings as Settings & LegacyAppFields;
  return {
    ...(encryptedCredentials !== undefined ? { encryptedCredentials } : {}),
    ...(startAtLogin !== undefined ? { startAtLogin } : {}),
  };
}

/** The settings without the legacy app fields (what the app writes back once it has moved them). */
export function withoutLegacyAppFields(settings: Settings): Settings {
  const { encryptedCredentials: _sealed, startAtLogin: _login, ...rest } = settings as Settings & LegacyAppFields;
  return rest;
}

/** Settings as they are when nothing has been saved yet. */
export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

