import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { AppSession, type SessionPorts } from '../../src/core/app/app-session.js';
import type { AppStateStore, FolderPicker, MemoryPort } from '../../src/core/app/shell-ports.js';
import type { ForgottenAction, ForgottenNotice } from '../../src/core/app/forgotten-watch.js';
import { keyStorageVerdict, type SecretBox } from '../../src/core/credentials.js';
import type { NotificationModel } from '../../src/core/notification-policy.js';
import type { Clock } from '../../src/core/ports.js';
import type { Screen } from '../../src/shared/views.js';
import { startCloud, type Cloud } from '../fixtures/cloud.js';
import { startSshd, type Sshd } from '../fixtures/sshd.js';
import { FakeAppStateStore } from './fake-app-state-store.js';

// The tray app's AppSession on a real core (real AWS and ssh adapters) against the test peers,
// with recording doubles for the surfaces only the OS has: clipboard, notifications, the terminal
// launcher, the popover window, the login item, the key store and the browser. One construction
// for every app test, so a new port is added here once.

/** Stands in for safeStorage on a Linux box without a keyring: keys are refused, as the app does there. */
export const noKeyring: SecretBox = {
  availability: () => keyStorageVerdict('linux', true, 'basic_text'),
  encrypt: () => {
    throw new Error('not available');
  },
  decrypt: () => {
    throw new Error('not available');
  },
};

/**
 * The system clock with every wait ten times longer: the steady poll (60 s) becomes 10 minutes, so
 * within a test only a change signal (a click, `rig` announcing a change) explains the app asking EC2.
 */
export const tenfoldWaits: Clock = { now: () => Date.now(), sleep: (ms, signal) => systemClock.sleep(ms * 10, signal) };

/** What the app asked of the shell, in order. */
export interface ShellRecord {
  readonly clipboard: string[];
  readonly notifications: NotificationModel[];
  readonly forgotten: Array<{ readonly notice: ForgottenNotice; readonly act: (action: ForgottenAction) => void }>;
  /** Each terminal the app opened: the command and the terminal it preferred. */
  readonly terminals: Array<{ readonly argv: readonly string[]; readonly preferred: string | null }>;
  readonly popover: Screen[];
  readonly loginItem: boolean[];
  /** URLs handed to the browser (or VS Code) through openExternal. */
  readonly opened: string[];
}

export interface AppOptions {
  /** The CloudRig home the app and `rig` share. */
  readonly home: string;
  /** The app's environment (CLOUDRIG_HOME is set to `home`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The AWS endpoint the app's SDK clients use, e.g. a cloud proxy of the app's own so that its
   * counts are the app's calls: AWS_ENDPOINT_URL in the app's environment.
   */
  readonly endpoint?: string;
  /** The core's clock (the system clock by default). */
  readonly clock?: Clock;
  /** Terminals the launcher reports installed (none by default). */
  readonly terminals?: readonly string[];
  readonly secretBox?: SecretBox;
  /** The app's own state (sealed keys, start at login); in memory unless given. */
  readonly appState?: AppStateStore;
  /** Cost and reminder ticks: an hour by default, so only the watch drives a test. */
  readonly tickMs?: number;
  /** Starts the session (true by default). */
  readonly start?: boolean;
  /** Answers the system folder dialog (the push folder's Change…); without one, the app has no dialog. */
  readonly folderPicker?: FolderPicker;
  /** Gives memory back after bursts (the app's is V8's); without one, nothing is given back early. */
  readonly memory?: MemoryPort;
  /** How often the GPU panel reads the stats while ready (the app's 30 s by default). */
  readonly statsIntervalMs?: number;
}

/** A running app and what it asked of its shell. */
export interface AppHarness {
  readonly session: AppSession;
  readonly record: ShellRecord;
  /** Disposes the session; safe to call twice. */
  dispose(): Promise<void>;
}

/** The app's options for a `RigWorld` (or anything with a home and an environment). */
export function appOn(world: { readonly home: string; readonly env: Readonly<Record<string, string | undefined>> }, extra: Omit<AppOptions, 'home' | 'env'> & { readonly env?: Readonly<Record<string, string | undefined>> } = {}): AppOptions {
  return { ...extra, home: world.home, env: { ...world.env, ...extra.env } };
}

/** Builds (and by default starts) the app's session with recording shell doubles. */
export function startApp(options: AppOptions): AppHarness {
  const record: ShellRecord = { clipboard: [], notifications: [], forgotten: [], terminals: [], popover: [], loginItem: [], opened: [] };
  const installed = options.terminals ?? [];
  const ports: SessionPorts = {
    home: options.home,
    env: { ...options.env, CLOUDRIG_HOME: options.home, ...(options.endpoint !== undefined ? { AWS_ENDPOINT_URL: options.endpoint } : {}) },
    platform: 'linux',
    createCore: (core) => createCore(options.clock ? { ...core, clock: options.clock } : core),
    clipboard: { writeText: (text) => void record.clipboard.push(text) },
    terminal: {
      installed: async () => new Set(installed),
      open: async (argv, { preferred }) => {
        record.terminals.push({ argv, preferred });
        return { label: preferred ?? installed[0] ?? 'none' };
      },
    },
    notifier: {
      show: (notification) => void record.notifications.push(notification),
      showForgotten: (notice, act) => void record.forgotten.push({ notice, act }),
    },
    secretBox: options.secretBox ?? noKeyring,
    appState: options.appState ?? new FakeAppStateStore(),
    loginItem: { set: (enabled) => void record.loginItem.push(enabled) },
    popover: { show: (screen) => void record.popover.push(screen), hide: () => undefined },
    openExternal: async (url) => {
      record.opened.push(url);
    },
    tickMs: options.tickMs ?? 3_600_000,
    ...(options.folderPicker ? { folderPicker: options.folderPicker } : {}),
    ...(options.memory ? { memory: options.memory } : {}),
    ...(options.statsIntervalMs !== undefined ? { statsIntervalMs: options.statsIntervalMs } : {}),
  };
  const session = new AppSession(ports);
  if (options.start !== false) session.start();
  let disposed: Promise<void> | null = null;
  return {
    session,
    record,
    dispose() {
      disposed ??= session.dispose();
      return disposed;
    },
  };
}

/** `startApp` for a test file: every app started in a test is disposed after it. */
export function useApps(): (options: AppOptions) => AppHarness {
  const started: AppHarness[] = [];
  afterEach(async () => {
    const apps = started.splice(0);
    for (const app of apps.reverse()) await app.dispose();
  });
  return (options) => {
    const app = startApp(options);
    started.push(app);
    return app;
  };
}

/** moto + cloud proxy + a reserved sshd + a scratch folder, and the environment that points an app at them. */
export interface AppPeers {
  readonly cloud: Cloud;
  /** The workstation's sshd: its port is reserved; start it once CloudRig has made the key. */
  readonly sshd: Sshd;
  /** The scratch folder: an empty AWS config, the keep-alive file "on the instance", and `home`. */
  readonly dir: string;
  /** The CloudRig home to give the app (not created yet). */
  readonly home: string;
  /** The app's environment: this process's, with the cloud's endpoint and keys, an empty AWS config and the keep-alive file. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Stops the peers and removes the folder. */
  close(): Promise<void>;
}

/**
 * Starts the peers an app test that makes its own workstation needs, for tests that do not run `rig`
 * (those use `useRigWorld`). The app is given `env` (its AWS endpoint and keys, and the keep-alive file
 * Snooze writes: the sshd fixture runs as this user); the process environment is left alone.
 */
export async function startAppPeers(name: string): Promise<AppPeers> {
  const cloud = await startCloud();
  const sshd = await startSshd({ start: false }).catch(async (error: unknown) => {
    await cloud.close();
    throw error;
  });
  const dir = await mkdtemp(join(tmpdir(), `cloudrig-${name}-`));
  await writeFile(join(dir, 'aws-config'), '');
  const env = {
    ...process.env,
    ...cloud.env,
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    CLOUDRIG_KEEPALIVE_FILE: join(dir, 'instance-keepalive'),
  };
  return {
    cloud,
    sshd,
    dir,
    home: join(dir, 'home'),
    env,
    async close() {
      await sshd.close();
      await cloud.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
