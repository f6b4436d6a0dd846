import * as z from 'zod';

// The app's own state: what only the tray app uses, kept out of the settings file it shares with
// `rig` (src/main keeps it in Electron's userData, see docs/architecture.md). Never holds a secret
// in plain text.

/** Where the app's earlier versions kept these fields: in the shared settings file, until moved. */
export const HomeMigrationSchema = z.enum(['pending', 'copied', 'done']);
/** `pending`: not looked at; `copied`: the store holds the values, the old copies may remain; `done`. */
export type HomeMigration = z.infer<typeof HomeMigrationSchema>;

/** The popover's last size and place, in screen points (null: by the tray icon, default size). */
export const PopoverBoundsSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(4000),
  height: z.number().int().min(200).max(4000),
});
export type PopoverBounds = z.infer<typeof PopoverBoundsSchema>;

/** How the app takes updates. */
export const UpdatePreferencesSchema = z.object({
  /** Download a newer version in the background (it is applied only when the user restarts to it). */
  autoDownload: z.boolean().default(true),
  /** The release channel followed. */
  channel: z.enum(['latest', 'beta']).default('latest'),
});
export type UpdatePreferences = z.infer<typeof UpdatePreferencesSchema>;

/** Identifiers of hints the user closed: each is shown until closed once. */
const HintIdSchema = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/);

/** The app-only state file's shape; a file that does not fit is replaced by the defaults. */
export const AppStateSchema = z.object({
  /** Access keys typed into the app, sealed by the OS keychain (safeStorage, base64 ciphertext). */
  sealedCredentials: z.string().max(16_384).regex(/^[A-Za-z0-9+/]*={0,2}$/).nullable().default(null),
  /** Start at login as the app last wrote it (the user's choice in the app). */
  startAtLogin: z.boolean().default(false),
  popover: PopoverBoundsSchema.nullable().default(null),
  updates: UpdatePreferencesSchema.default(UpdatePreferencesSchema.parse({})),
  dismissedHints: z.array(HintIdSchema).max(256).default([]),
  /** How far the one-time move of these fields out of the shared settings file went. */
  homeMigration: HomeMigrationSchema.default('pending'),
});
export type AppState = z.infer<typeof AppStateSchema>;

/** The app's state before anything was saved. */
export function defaultAppState(): AppState {
  return AppStateSchema.parse({});
}
