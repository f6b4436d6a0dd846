import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { Clock, SshClient } from '../core/ports.js';
import { WorkstationService } from '../core/workstation-service.js';
import { CostTracker } from '../core/cost-tracker.js';
import { launchUserData } from '../core/app/user-data.js';
import { DerivedHostKeys } from './ssh/derived-host-keys.js';
import { AwsPriceCatalog } from './aws/pricing.js';
import { AwsKeptResources } from './aws/kept-resources.js';
import { FileRunHistoryStore } from './store/cost-history.js';
import { AwsCloud } from './aws/aws-cloud.js';
import { FileKeyStore } from './store/key-store.js';
import { FileLaunchLedger } from './store/launch-ledger.js';
import { FileLocks } from './store/file-locks.js';
import { FileHomeChanges } from './store/home-change-file.js';
import { ConfSettingsStore } from './store/settings-store.js';
import { HttpPublicIp } from './net/public-ip.js';
import { Ssh2Client } from './ssh/ssh2-client.js';
import { SshConfigFiles, userSshConfigPath } from './ssh/ssh-config-file.js';
import { FileAcceptedRuns } from './store/accepted-runs-file.js';
import { systemClock } from './system-clock.js';

export interface CoreOptions {
  readonly home: string;
  /** Overrides the settings' profile (the CLI's --profile). */
  readonly profile?: string | null;
  readonly env?: NodeJS.ProcessEnv;
  /** Keys typed into the app, decrypted in memory only. */
  readonly credentials?: AwsCredentialIdentity | null;
  readonly clock?: Clock;
  readonly maxAttempts?: number;
  /** The ssh client, when the caller already started a probe with it (`rig status` does, while it loads). */
  readonly ssh?: SshClient;
}

/** The core wired to the real adapters: the one composition both the app and the CLI use. */
export function createCore(options: CoreOptions) {
  const env = options.env ?? process.env;
  const settings = new ConfSettingsStore(options.home);
  const saved = settings.read();
  const profile = options.profile ?? saved.profile ?? null;
  const access = { profile, credentials: options.credentials ?? null, maxAttempts: options.maxAttempts };
  const cloud = new AwsCloud(access, env.AWS_REGION ?? 'us-east-1', join(options.home, 'cache', 'regions.json'));
  const keys = new FileKeyStore(options.home);
  const ssh = options.ssh ?? new Ssh2Client();
  const clock = options.clock ?? systemClock;
  const locks = new FileLocks(options.home);
  const service = new WorkstationService({
    cloud,
    keys,
    settings,
    ledger: new FileLaunchLedger(options.home),
    locks,
    ssh,
    publicIp: new HttpPublicIp(env.CLOUDRIG_MYIP_URL ?? saved.myIpUrl),
    clock,
    newId: () => randomUUID(),
    // The launch seeds the ssh host key (pinned before the first connection), installs the
    // on-instance idle watchdog (stops the machine with the laptop closed) and the setup script.
    userDataFor: launchUserData,
    hostKeys: new DerivedHostKeys(keys),
    // Each run whose key was accepted is recorded, so the next `rig status` can start its probe early.
    acceptedRuns: new FileAcceptedRuns(options.home),
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
  return { service, settings, cloud, keys, ssh, clock, prices, costs, sshConfig, changes, home: options.home, access };
}

export type Core = ReturnType<typeof createCore>;
