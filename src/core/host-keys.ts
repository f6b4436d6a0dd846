// Host keys known before the first connection. CloudRig makes the instance's ssh host key itself,
// hands it to cloud-init in the launch's user data (`ssh_keys`), and pins its public half for the
// instance right after RunInstances answers, before any probe. Every connection (ssh2 probes and
// exec, the system ssh through CloudRig's known_hosts) then checks that key, and a machine that
// answers with another one is refused.
//
// Why seeding rather than reading the console (GetConsoleOutput): the key is known the moment
// the launch returns, whatever the console's delay (minutes, sometimes empty on some images). The
// price: the private host key sits in the instance's user data, which whoever may call
// DescribeInstanceAttribute, or reach the instance's metadata service, can read. Both already
// imply control of the account or of the box, so the key adds nothing they could not take anyway.
// The key is never logged and never written to disk on this side: the adapter derives it from
// the workstation's private key and the launch's ClientToken, so a retried or resumed launch
// (same token) sends byte-identical user data (EC2's idempotency demands it) and a new launch,
// from a saved image too, gets a new key.
import type { HostKeyPin } from './ports.js';

/** A host key made for one launch. The private half lives only in memory and the user data. */
export interface SeededHostKey {
  /** `ssh-ed25519 AAAA…`. */
  readonly publicKey: string;
  /** OpenSSH private key text (`-----BEGIN OPENSSH PRIVATE KEY-----…`), as sshd reads it. */
  readonly privateKey: string;
}

/** Makes the host key of a launch: the same key for the same workstation and ClientToken. */
export interface HostKeyMaker {
  forLaunch(workstation: string, clientToken: string): Promise<SeededHostKey>;
}

/** The host field a seeded pin uses: any address, since the pin is the instance's and HostName changes with each start. */
export const ANY_ADDRESS = '*';

/** The pin of a seeded key: verified, for this instance, at whatever address it has. */
export function seededPin(instanceId: string, key: SeededHostKey): HostKeyPin {
  return { host: ANY_ADDRESS, port: 22, keys: [key.publicKey], instanceId, trust: 'verified' };
}

/**
 * The tokens a launch's host key may have been made for, from the ClientToken EC2 reports: the
 * token itself, and — for a launch retried in another zone, whose token is `<first 36>-<subnet>` —
 * the token the launch began with, which the key was made for.
 */
export function launchTokensOf(clientToken: string): string[] {
  const begun = /^(.{36})-subnet-[0-9a-f]+$/.exec(clientToken)?.[1];
  return begun ? [begun, clientToken] : [clientToken];
}

/**
 * The pin of another machine's launch of this workstation, made without asking that machine: its
 * host key is derived from the workstation's private key (which both hold) and the launch's
 * ClientToken (which EC2 reports), so it is as verified as the key seeded by this machine's own launches.
 */
export async function derivedPin(maker: HostKeyMaker, workstation: string, instanceId: string, clientToken: string): Promise<HostKeyPin> {
  const keys = await Promise.all(launchTokensOf(clientToken).map((token) => maker.forLaunch(workstation, token)));
  return { host: ANY_ADDRESS, port: 22, keys: keys.map((key) => key.publicKey), instanceId, trust: 'verified' };
}

/** The cloud-config (YAML) that installs the key as the instance's only host key. */
export function hostKeyCloudConfig(key: SeededHostKey): string {
  const indented = key.privateKey.trim().split('\n').map((line) => `    ${line}`).join('\n');
  return [
    '#cloud-config',
    '# CloudRig: the ssh host key, made by CloudRig so it is pinned before the first connection.',
    'ssh_deletekeys: true',
    'ssh_genkeytypes: []',
    'ssh_keys:',
    '  ed25519_private: |',
    indented,
    `  ed25519_public: ${key.publicKey.trim()}`,
    '',
  ].join('\n');
}

/** The seeded public key in user data (the cloud-config above), or null when it has none. */
export function seededPublicKeyOf(userData: string): string | null {
  return /^ {2}ed25519_public: (ssh-ed25519 [A-Za-z0-9+/=]+)\s*$/m.exec(userData)?.[1] ?? null;
}
