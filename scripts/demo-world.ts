// `npm run demo`'s world: moto_server behind the cloud proxy, and a real OpenSSH sshd on loopback
// that plays every instance the proxy launches, as cloud-init would on its first boot: it takes the
// host key the launch seeds (so CloudRig's pin matches), authorises the workstation's key pair, and
// runs the setup script from the user data. Bundled by scripts/demo.mjs into .demo/.
import { accessSync, constants } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { USER_DATA_BOUNDARY } from '../src/core/validate.js';
import { startCloud, type Cloud } from '../test/fixtures/cloud.js';
import { onInstanceLaunch } from '../test/fixtures/instance-boot.js';
import { spawnOwned, type OwnedProcess } from '../test/fixtures/owned-process.js';
import { onDemandPriceEntry } from '../test/fixtures/price-list.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../test/fixtures/sshd.js';

/** The region and type the printed `rig init` uses (the proxy knows their price). */
const REGION = 'us-east-1';
const INSTANCE_TYPE = 'g4dn.xlarge';
/** The first line after the exports: a script reading the output can stop there. */
export const READY_LINE = '# CloudRig demo is ready. Ctrl-C stops it.';

/** Runs the demo until SIGINT or SIGTERM; returns the exit code. */
export async function main(options: { readonly root: string }): Promise<number> {
  const missing = missingPeer();
  if (missing !== null) {
    process.stderr.write(`demo: ${missing}\n`);
    return 1;
  }
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => process.stderr.write(`demo: cleaning up: ${String(error)}\n`));
  };
  try {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-demo-home-'));
    cleanups.push(() => rm(home, { recursive: true, force: true, maxRetries: 5 }));
    const box = await mkdtemp(join(tmpdir(), 'cloudrig-demo-box-'));
    cleanups.push(() => rm(box, { recursive: true, force: true, maxRetries: 5 }));
    const cloud = await startCloud({ region: REGION });
    cleanups.push(() => cloud.close());
    dressCloud(cloud);
    const sshd = await startSshd({ start: true });
    cleanups.push(() => sshd.close());
    const boot = await bootFollower({ root: options.root, home, box, sshd });
    cleanups.push(() => boot.close());

    const env: Record<string, string> = { CLOUDRIG_HOME: home, ...cloud.env, CLOUDRIG_SETUP_DIR: boot.setupDir };
    const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    process.stdout.write([
      '# Paste these lines into the shell where you run `rig` (or start the app):',
      ...lines,
      READY_LINE,
      `# rig init --region ${REGION} --type ${INSTANCE_TYPE} --ssh-host ${sshd.host} --ssh-port ${sshd.port} --ssh-user ${shellQuote(sshd.user)}`,
      '# rig up; rig ssh; ssh -F "$CLOUDRIG_HOME/ssh_config" gpu; rig push ./folder; rig stats; rig down',
      '',
    ].join('\n'));
    await untilStopped();
    process.stderr.write('demo: stopping moto, the proxy and sshd, and deleting the demo home\n');
    return 0;
  } catch (error) {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await cleanUp();
  }
}

/** What the demo needs and this machine lacks, with how to install it; null when nothing. */
function missingPeer(): string | null {
  if (!onPath('moto_server')) return "moto_server is not installed (it plays EC2, SSM and STS). Fix: pip install 'moto[server]', then run npm run demo again.";
  if (!executable('/usr/sbin/sshd')) return 'OpenSSH sshd is not installed at /usr/sbin/sshd (it plays the workstation). Fix: sudo apt-get install -y openssh-server, then run npm run demo again.';
  return null;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, command)));
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A price for the printed type, and a short pending and stopping, so the waits are seen but short. */
function dressCloud(cloud: Cloud): void {
  cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: INSTANCE_TYPE, regionCode: REGION, usd: 0.526 })]);
  cloud.proxy.setHold({ pendingMs: 2_000, stoppingMs: 2_000, shuttingDownMs: 1_000 });
}

/** cloud-init on each launched instance (the sshd fixture takes the seeded host key itself). */
interface BootFollower {
  /** Where the setup script's runner keeps its log and markers (CLOUDRIG_SETUP_DIR for `rig`). */
  readonly setupDir: string;
  close(): Promise<void>;
}

async function bootFollower(options: { readonly root: string; readonly home: string; readonly box: string; readonly sshd: Sshd }): Promise<BootFollower> {
  const setupDir = join(options.box, 'setup');
  const bin = join(options.box, 'bin');
  await mkdir(bin);
  // What a GPU image has and this machine may not: an nvidia-smi that prints one T4's reading.
  await copyFile(join(options.root, 'test', 'fixtures', 'nvidia-smi', 'g4dn-xlarge-1-gpu.csv'), join(options.box, 'gpu.csv'));
  await executableScript(join(bin, 'nvidia-smi'), `exec cat ${shellQuote(join(options.box, 'gpu.csv'))}`);
  // The runner switches to the ssh user with runuser, which only root may call; the demo's ssh
  // user is the one running it, so a non-root run needs no switch.
  if (userInfo().uid !== 0) await executableScript(join(bin, 'runuser'), '[ "$1" = -u ] && shift 2\n[ "$1" = -- ] && shift\nexec "$@"');
  // The box's own home folder for the ssh user, so what the demo's sessions, pushes and setup
  // script write stays in the demo's temporary folder instead of this machine's real home.
  const boxHome = join(options.box, 'home');
  await mkdir(boxHome);
  await executableScript(join(bin, 'getent'), `if [ "$1" = passwd ] && [ -n "$2" ]; then printf '%s:x:%s:%s::%s:%s\\n' "$2" "$(id -u)" "$(id -g)" ${shellQuote(boxHome)} "\${SHELL:-/bin/sh}"; else exec /usr/bin/getent "$@"; fi`);
  const setups = new Set<OwnedProcess>();
  const unfollow = onInstanceLaunch(async (userData) => {
    await options.sshd.setAuthorizedKey(await authorizedKeys(options.home, bin, boxHome));
    const runner = setupRunnerOf(userData);
    if (runner === null) return;
    // A fresh instance has a fresh disk: no marker from an earlier launch's run.
    await rm(setupDir, { recursive: true, force: true });
    const file = join(options.box, 'cloudrig-setup.sh');
    await writeFile(file, runner, { mode: 0o700 });
    const child = await spawnOwned('bash', [file], {
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, CLOUDRIG_SETUP_DIR: setupDir },
      cwd: '/',
    });
    setups.add(child);
    void child.exited.then(() => setups.delete(child));
  });
  return {
    setupDir,
    async close() {
      unfollow();
      await Promise.all([...setups].map((child) => child.stop()));
    },
  };
}

/**
 * authorized_keys for every key pair in the home (what cloud-init installs from the launch's key
 * pair), each running the session in the box's home with the box's programs first on PATH: a login
 * shell when no command is given, the sftp server for sftp, else the command as the remote shell would.
 */
async function authorizedKeys(home: string, bin: string, boxHome: string): Promise<string> {
  const keys = join(home, 'keys');
  const names = (await readdir(keys).catch(() => [] as string[])).filter((name) => name.endsWith('.pem'));
  const command = `cd '${boxHome}' || exit 1; HOME='${boxHome}'; PATH='${bin}':$PATH; export HOME PATH; case \\"$SSH_ORIGINAL_COMMAND\\" in '') exec \\"\${SHELL:-/bin/sh}\\" -l;; internal-sftp) exec ${sftpServer()};; *) eval \\"$SSH_ORIGINAL_COMMAND\\";; esac`;
  const lines = await Promise.all(names.map(async (name) => `command="${command}" ${publicKeyFromPrivate(await readFile(join(keys, name), 'utf8'))}`));
  return lines.join('\n');
}

function sftpServer(): string {
  return ['/usr/lib/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server'].find(executable) ?? 'internal-sftp';
}

/** The setup script's runner part of a launch's user data (multipart or the whole), or null. */
export function setupRunnerOf(userData: string): string | null {
  if (!userData.includes(`--${USER_DATA_BOUNDARY}`)) return userData.includes('\n# cloudrig-setup-script\n') ? userData : null;
  for (const part of userData.split(`--${USER_DATA_BOUNDARY}`)) {
    if (!part.includes('filename="cloudrig-setup.sh"')) continue;
    const body = part.indexOf('\n\n');
    return body < 0 ? null : `${part.slice(body + 2).replace(/\n$/, '')}\n`;
  }
  return null;
}

async function executableScript(path: string, body: string): Promise<void> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** `'text'` for a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
  });
}
