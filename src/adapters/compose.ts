import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { CloudRigCore, CoreOptions } from '../core/app/cloudrig-core.js';
import type { TerminalPort } from '../core/app/shell-ports.js';
import { SystemTerminal } from './terminal/system-terminal.js';
import { WorkstationService } from '../core/workstation-service.js';
import { CostTracker } from '../core/cost-tracker.js';
import { launchUserData, refuseSetupScriptThatCannotFit } from './user-data.js';
import { DerivedHostKeys } from './ssh/derived-host-keys.js';
import { AwsPriceCatalog } from './aws/pricing.js';
import { AwsKeptResources } from './aws/kept-resources.js';
import { AwsAccountInventory } from './aws/account-inventory.js';
import { FileForgottenStore } from './store/forgotten-store.js';
import { FileRunHistoryStore } from './store/cost-history.js';
import { ssh2RemoteAccess } from './ssh/remote-access.js';
import { AwsCloud } from './aws/aws-cloud.js';
import type { AwsAccess } from './aws/client-config.js';
import { FileKeyStore } from './store/key-store.js';
import { FileLaunchLedger } from './store/launch-ledger.js';
import { FileSetupFailures } from './store/setup-failures.js';
import { FileLocks } from './store/file-locks.js';
import { FileHomeChanges } from './store/home-change-file.js';
import { ConfSettingsStore } from './store/settings-store.js';
import { HttpPublicIp } from './net/public-ip.js';
import { Ssh2Client } from './ssh/ssh2-client.js';
import { SshConfigFiles, userSshConfigPath } from './ssh/ssh-config-file.js';
import { FileAcceptedRuns } from './store/accepted-runs-file.js';
import { FileReminderStore } from './store/reminder-store.js';
import { listGpuInstanceTypes } from './aws/instance-catalog.js';
import { listAwsProfiles } from './aws/profiles.js';
import { defaultAwsRegion } from './aws/default-region.js';
import { systemClock } from './system-clock.js';
import { systemScheduler } from './system-scheduler.js';

export type { CoreOptions } from '../core/app/cloudrig-core.js';

/** The composition with its adapters in reach: tests and benchmarks look inside; main and the CLI see only CloudRigCore. */
export interface ComposedCore extends CloudRigCore {
  readonly cloud: AwsCloud;
  readonly prices: AwsPriceCatalog;
  readonly access: AwsAccess;
}

/** The core wired to the real adapters: the one composition both the app and the CLI use. */
export function createCore(options: CoreOptions): ComposedCore {
  const { env } = options;
  const settings = new ConfSettingsStore(options.home);
  const saved = settings.read();
  const profile = options.profile ?? saved.profile ?? null;
  const access = { profile, credentials: options.credentials ?? null, maxAttempts: options.maxAttempts, env };
  const cloud = new AwsCloud(access, env.AWS_REGION ?? 'us-east-1', join(options.home, 'cache', 'regions.json'));
  const keys = new FileKeyStore(options.home);
  const ssh = options.ssh ?? new Ssh2Client();
  const clock = options.clock ?? systemClock;
  const locks = new FileLocks(options.home);
  const publicIp = new HttpPublicIp(env.CLOUDRIG_MYIP_URL ?? saved.myIpUrl);
  const service = new WorkstationService({
    cloud,
    keys,
    settings,
    ledger: new FileLaunchLedger(options.home),
    locks,
    ssh,
    publicIp,
    clock,
    newId: () => randomUUID(),
    // The launch seeds the ssh host key (pinned before the first connection), installs the
    // on-instance idle watchdog (stops the machine with the laptop closed) and the setup script.
    userDataFor: launchUserData,
    // A setup script too large for the launch's user data, even compressed, is refused when saved.
    refuseSetupScriptThatCannotFit,
    hostKeys: new DerivedHostKeys(keys),
    // Each run whose key was accepted is recorded, so the next `rig status` can start its probe early.
    acceptedRuns: new FileAcceptedRuns(options.home),
    // A failed setup script is remembered for its instance: the next `rig status`, `rig up` and the app say so.
    setupFailures: new FileSetupFailures(options.home),
  });
  // One EC2 client per region for the whole process (gateway, scan, spot prices, kept resources).
  const ec2 = (region: string) => cloud.client(region);
  const prices = new AwsPriceCatalog({ cacheFile: join(options.home, 'cache', 'prices.json'), clock, access, ec2Client: ec2 });
  // CloudRig's ssh config follows every snapshot (a start brings a new address); the user's file is only touched on request.
  const sshConfig = new SshConfigFiles({ home: options.home, userConfigPath: userSshConfigPath(env), settings, keys });
  service.onDidChange((snapshot) => sshConfig.noteSnapshot(snapshot));
  const costs = new CostTracker(prices, new FileRunHistoryStore(options.home, locks), new AwsKeptResources(access, ec2));
  // `rig` announces its changes here; the app watches them (the tray in step with the shell).
  const changes = new FileHomeChanges(options.home);
  // Service Quotas, STS and the offer lister load only when asked (`rig doctor`, `rig gpus`, the setup form).
  const account = {
    probe: async (region: string) => (await import('./aws/account-checks.js')).accountProbe(access, region),
    requestQuota: async (region: string, quotaCode: string, desired: number) =>
      (await import('./aws/account-checks.js')).requestQuotaIncrease(access, region, quotaCode, desired),
    gpuTypes: (region: string) => listGpuInstanceTypes(access, region),
    gpuOffers: async (regions: readonly string[], gpu: string | null) => (await import('./aws/gpu-offers.js')).listGpuOffers(access, prices, regions, gpu),
    enabledRegions: () => cloud.enabledRegions(),
    profiles: () => listAwsProfiles(env),
    defaultRegion: () => defaultAwsRegion(profile, env),
  };
  return {
    home: options.home,
    service,
    settings,
    keys,
    locks,
    ssh,
    clock,
    scheduler: systemScheduler,
    prices,
    costs,
    sshConfig,
    changes,
    reminders: new FileReminderStore(options.home),
    account,
    publicIp,
    keepAliveFile: env.CLOUDRIG_KEEPALIVE_FILE || null,
    remote: ssh2RemoteAccess,
    forgotten: new FileForgottenStore(options.home),
    inventory: new AwsAccountInventory(access, ec2),
    cloud,
    access,
  };
}

/** The composition's type, for callers that name it. */
export type Core = ComposedCore;

// What the two composition roots (src/main/index.ts, src/cli/main.ts) take from here besides the
// core: the shell never reaches into src/adapters for anything else.
export { resolveHome } from './store/home.js';
export { watchHttpForDebug } from './aws/debug-log.js';
/** The tray app's main process gives memory back after bursts of work with it (SessionPorts.memory). */
export { releaseColdCode } from './cold-code.js';

/** The system terminal, for the app's TerminalPort. */
export function systemTerminal(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): TerminalPort {
  return new SystemTerminal(platform, env);
}
