import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { knownHostsHas } from '../../src/adapters/ssh/ssh-config-file.js';
import { lastLine, useRigWorld } from '../support/rig-harness.js';
import { createCore } from '../../src/adapters/compose.js';

const world = useRigWorld();
const run = promisify(execFile);

/** Runs the system OpenSSH client (ssh, scp, …); resolves with its exit code and output. */
async function system(command: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

// A home like macOS's (a space), with a % that ssh would expand if it were not written as %%.
let root = '';
let home = '';
let userDir = '';
let userConfig = '';
/** The user's own ssh config: other Host, Match, Host * and Include lines, and a byte that is not UTF-8. */
let original: Buffer;

const rig = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  world.rig(args, { env: { CLOUDRIG_HOME: home, CLOUDRIG_SSH_CONFIG: userConfig, ...env } });
const ownConfig = () => join(home, 'ssh_config');
const sshLogin = (config: string, alias = 'gpu') => system('ssh', ['-F', config, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', alias, 'true']);
const status = async (name?: string) => {
  const result = await rig(['status', '--json', ...(name ? [name] : [])]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cloudrig-sshcfg-'));
  home = join(root, 'Application Support', 'Cloud%Rig');
  userDir = join(root, 'user');
  await mkdir(join(userDir, '.ssh', 'conf.d'), { recursive: true });
  userConfig = join(userDir, '.ssh', 'config');
  await writeFile(join(userDir, '.ssh', 'conf.d', 'extra.conf'), 'Host extra\n  HostName 192.0.2.10\n');
  original = Buffer.concat([
    Buffer.from('# my ssh config (caf'), Buffer.from([0xe9]), Buffer.from(')\n'),
    Buffer.from([
      'Host work',
      '  HostName work.example.com',
      '  User me',
      '',
      'Match host gpu exec "false"',
      '  User wrong',
      '',
      'Host *',
      '  Port 1',
      '  User nobody-here',
      '  ServerAliveInterval 99',
      `Include ${join(userDir, '.ssh', 'conf.d')}/*.conf`,
      '',
    ].join('\n')),
  ]);
  await writeFile(userConfig, original, { mode: 0o640 });
  await chmod(userConfig, 0o640);

  const init = await rig(['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host,
    '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]);
  expect(init.code, init.stderr).toBe(0);
  // These tests pin the host key on first use (the fallback for an image without cloud-init), so the
  // known_hosts lines name the host; host-key-seeding.test.ts covers the seeded key.
  const core = createCore({ home, env: world.env });
  core.settings.saveWorkstation({ ...core.service.spec('gpu'), seedHostKey: false });
  await world.sshd.setAuthorizedKey(publicKeyFromPrivate(await readFile(join(home, 'keys', 'cloudrig-gpu.pem'), 'utf8')));
  const up = await rig(['up']);
  expect(up.code, up.stderr).toBe(0);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('rig ssh-config: `ssh <name>` through one Include line', () => {
  it('rig --help lists ssh-config and code', async () => {
    const help = await rig(['--help']);
    expect(help.stdout).toMatch(/^\s+ssh-config \[options\]\s+Show whether `ssh <name>` works/m);
    expect(help.stdout).toMatch(/^\s+code \[options\] \[name\] \[path\]\s+Open a folder on the workstation in VS Code/m);
  });

  it('before install: says it is not included and what to run; rig code says the same; the command shown is the full one', async () => {
    const show = await rig(['ssh-config']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`Not included from ${userConfig}. Run \`rig ssh-config --install\``);
    const code = await rig(['code']);
    expect(code.code).toBe(1);
    expect(code.stderr.trim()).toMatch(/^error: The editor reaches gpu as `ssh gpu`, which needs CloudRig's ssh config included from .* Fix: Run `rig ssh-config --install`, then `rig code` again\.$/);
    expect(String((await status()).sshCommand)).toMatch(/^ssh -i '.*Cloud%%Rig\/keys\/cloudrig-gpu\.pem' /);
    expect(await readFile(userConfig)).toEqual(original);
  });

  it('--print shows the Host block, which the real ssh -G reads back exactly (paths with a space and a %)', async () => {
    const print = await rig(['ssh-config', '--print']);
    expect(print.code, print.stderr).toBe(0);
    expect(print.stdout).toBe(await readFile(ownConfig(), 'utf8'));
    expect(print.stdout).toContain(`  IdentityFile "${home.replace('%', '%%')}/keys/cloudrig-gpu.pem"\n`);
    const parsed = await system('ssh', ['-G', '-F', ownConfig(), 'gpu']);
    expect(parsed.code, parsed.stderr).toBe(0);
    const option = (name: string) => parsed.stdout.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length + 1);
    expect(option('hostname')).toBe('127.0.0.1');
    expect(option('port')).toBe(String(world.sshd.port));
    expect(option('user')).toBe(world.sshd.user);
    expect(option('identitiesonly')).toBe('yes');
    expect(option('userknownhostsfile')).toBe(join(home, 'known_hosts', 'gpu'));
    // `rig up` waited for ssh, and its probe pinned the host key: the block checks it strictly.
    expect(option('stricthostkeychecking')).toBe('true');
    expect(option('serveraliveinterval')).toBe('30');
    expect((await stat(ownConfig())).mode & 0o777).toBe(0o600);

    // AWS refusing the describe tells nothing about the address: the block keeps the one it had.
    world.cloud.proxy.inject({ action: 'DescribeInstances', kind: 'error', code: 'UnauthorizedOperation', message: 'denied', status: 403, times: Infinity });
    const offline = await rig(['ssh-config', '--print']);
    world.cloud.proxy.clearFaults();
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toBe(print.stdout);
  });

  it('--install adds one line at the top, keeps a backup and every other byte; ssh, scp and the shown command use the name', async () => {
    const install = await rig(['ssh-config', '--install']);
    expect(install.code, install.stderr).toBe(0);
    const line = `Include "${ownConfig()}"`;
    expect(install.stdout).toContain(`Added at the top of ${userConfig}: ${line}`);
    expect(install.stdout).toContain(`${userConfig}.cloudrig-backup`);
    expect(await readFile(userConfig)).toEqual(Buffer.concat([Buffer.from(`${line}\n`), original]));
    expect(await readFile(`${userConfig}.cloudrig-backup`)).toEqual(original);
    expect((await stat(userConfig)).mode & 0o777).toBe(0o640);

    // The user's Host * sets Port 1 and another User: CloudRig's block, read first, wins for gpu only.
    const login = await sshLogin(userConfig);
    expect(login.code, login.stderr).toBe(0);
    const gpu = await system('ssh', ['-G', '-F', userConfig, 'gpu']);
    expect(gpu.stdout).toMatch(new RegExp(`^port ${world.sshd.port}$`, 'm'));
    expect(gpu.stdout).toMatch(/^serveraliveinterval 30$/m);
    const work = await system('ssh', ['-G', '-F', userConfig, 'work']);
    expect(work.stdout).toMatch(/^user me$/m);
    expect(work.stdout).toMatch(/^port 1$/m);
    expect((await system('ssh', ['-G', '-F', userConfig, 'extra'])).stdout).toMatch(/^hostname 192\.0\.2\.10$/m);

    const copied = join(userDir, 'copied.txt');
    await writeFile(join(root, 'local.txt'), 'data for the session\n');
    const scp = await system('scp', ['-F', userConfig, '-o', 'BatchMode=yes', join(root, 'local.txt'), `gpu:${copied}`]);
    expect(scp.code, scp.stderr).toBe(0);
    expect(await readFile(copied, 'utf8')).toBe('data for the session\n');

    expect((await status()).sshCommand).toBe('ssh gpu');
    const command = await rig(['ssh-command']);
    expect(command.stdout.trim()).toBe('ssh gpu');
    const up = await rig(['up']);
    expect(lastLine(up.stdout)).toBe('ssh gpu');

    const again = await rig(['ssh-config', '--install']);
    expect(again.stdout).toContain('already includes');
    expect(await readFile(userConfig)).toEqual(Buffer.concat([Buffer.from(`${line}\n`), original]));
    const show = await rig(['ssh-config']);
    expect(show.stdout).toContain(`Included from ${userConfig}: \`ssh gpu\` works.`);
  });

  it('once the host key is in known_hosts, the block checks it strictly: the same key logs in, another is refused', async () => {
    // The login above accepted sshd's key into CloudRig's known_hosts (accept-new); any rewrite now pins it.
    await rig(['status']);
    expect(await readFile(ownConfig(), 'utf8')).toContain('  StrictHostKeyChecking yes\n');
    expect((await sshLogin(userConfig)).code).toBe(0);

    const knownHosts = join(home, 'known_hosts', 'gpu');
    const pinned = await readFile(knownHosts, 'utf8');
    const other = join(root, 'other_key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const [type, key] = (await readFile(`${other}.pub`, 'utf8')).split(' ');
    await writeFile(knownHosts, `[127.0.0.1]:${world.sshd.port} ${type} ${key}\n`);
    const refused = await sshLogin(userConfig);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    await writeFile(knownHosts, pinned);

    // The system ssh_config may say HashKnownHosts: a hashed entry pins just the same.
    await run('ssh-keygen', ['-q', '-H', '-f', knownHosts]);
    expect(await readFile(knownHosts, 'utf8')).toMatch(/^\|1\|/m);
    expect(await knownHostsHas(knownHosts, '127.0.0.1', world.sshd.port)).toBe(true);
    expect(await knownHostsHas(knownHosts, '127.0.0.2', world.sshd.port)).toBe(false);
    await writeFile(join(home, 'ssh_config'), '');
    await rig(['status']);
    expect(await readFile(ownConfig(), 'utf8')).toContain('  StrictHostKeyChecking yes\n');
  });

  it('rig code opens vscode-remote://ssh-remote+<name>/PATH with the code CLI (argv, no shell), Cursor when only it is there', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    const record = join(root, 'argv.txt');
    const stub = `#!/bin/sh\nprintf '%s\\n' "\${0##*/}" "$@" > '${record}'\n`;
    await writeFile(join(bin, 'code'), stub, { mode: 0o755 });
    const opened = await rig(['code', 'gpu', '/srv/my project; touch /tmp/x'], { PATH: bin });
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout.trim()).toBe('Opened vscode-remote://ssh-remote+gpu/srv/my%20project%3B%20touch%20/tmp/x in VS Code.');
    expect((await readFile(record, 'utf8')).split('\n')).toEqual(['code', '--folder-uri', 'vscode-remote://ssh-remote+gpu/srv/my%20project%3B%20touch%20/tmp/x', '']);

    const byDefault = await rig(['code'], { PATH: bin });
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect((await readFile(record, 'utf8')).split('\n')[2]).toBe(`vscode-remote://ssh-remote+gpu${world.sshd.user === 'root' ? '/root' : `/home/${world.sshd.user}`}`);

    await rm(join(bin, 'code'));
    await writeFile(join(bin, 'cursor'), stub, { mode: 0o755 });
    const cursor = await rig(['code', 'data'], { PATH: bin });
    expect(cursor.code, cursor.stderr).toBe(0);
    expect((await readFile(record, 'utf8')).split('\n').slice(0, 2)).toEqual(['cursor', '--folder-uri']);
    expect(cursor.stdout).toContain('in Cursor.');

    await rm(join(bin, 'cursor'));
    const none = await rig(['code'], { PATH: bin });
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toMatch(/^error: Neither `code` \(VS Code\) nor `cursor` \(Cursor\) is on PATH\. Fix: Install VS Code/);
  });

  it('--remove takes exactly that line out: the file is byte for byte the original, and the full command is back', async () => {
    const remove = await rig(['ssh-config', '--remove']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(remove.stdout).toContain(`Removed from ${userConfig}: Include "${ownConfig()}"`);
    expect(await readFile(userConfig)).toEqual(original);
    expect((await stat(userConfig)).mode & 0o777).toBe(0o640);
    expect(await readFile(`${userConfig}.cloudrig-backup`)).toEqual(original);
    expect(String((await status()).sshCommand)).toMatch(/^ssh -i /);
    const again = await rig(['ssh-config', '--remove']);
    expect(again.stdout).toContain('has no CloudRig Include line; nothing changed.');
    expect(await readFile(userConfig)).toEqual(original);
  });

  it('a missing config is created with mode 0600 in a 0700 directory, holding only the Include line', async () => {
    const fresh = join(root, 'fresh-user', '.ssh', 'config');
    const install = await rig(['ssh-config', '--install'], { CLOUDRIG_SSH_CONFIG: fresh });
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toContain(`Created ${fresh} (mode 0600)`);
    expect(await readFile(fresh, 'utf8')).toBe(`Include "${ownConfig()}"\n`);
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'fresh-user', '.ssh'))).mode & 0o777).toBe(0o700);
    expect((await sshLogin(fresh)).code).toBe(0);
    const remove = await rig(['ssh-config', '--remove'], { CLOUDRIG_SSH_CONFIG: fresh });
    expect(remove.code, remove.stderr).toBe(0);
  });

  it('a read-only config is left alone with a one-line error that says how to fix it', async () => {
    const readOnly = join(root, 'ro-config');
    await writeFile(readOnly, original);
    await chmod(readOnly, 0o444);
    const install = await rig(['ssh-config', '--install'], { CLOUDRIG_SSH_CONFIG: readOnly });
    expect(install.code).toBe(1);
    expect(install.stderr.trim().split('\n')).toHaveLength(1);
    expect(install.stderr).toContain(`error: ${readOnly} is read-only (mode 0444); CloudRig leaves it as it is. Fix: Make it writable with \`chmod u+w ${readOnly}\``);
    expect(await readFile(readOnly)).toEqual(original);
    await expect(lstat(`${readOnly}.cloudrig-backup`)).rejects.toThrow(/ENOENT/);
  });

  it('a symlinked config is not replaced nor written through: the error names where it points', async () => {
    const target = join(root, 'dotfiles', 'ssh_config');
    await mkdir(join(root, 'dotfiles'));
    await writeFile(target, original);
    const link = join(root, 'linked-config');
    await symlink(target, link);
    const install = await rig(['ssh-config', '--install'], { CLOUDRIG_SSH_CONFIG: link });
    expect(install.code).toBe(1);
    expect(install.stderr.trim()).toMatch(new RegExp(`^error: ${link} is a symlink to ${target}; CloudRig does not replace a symlink or write through it\\. Fix: Open ${target} and add this line at its top yourself: Include ".*" — or set CLOUDRIG_SSH_CONFIG=${target}`));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(target)).toEqual(original);
  });
});

describe('HostName follows the address, and rig down lists what is left', () => {
  const hostNameOf = async (alias: string) => {
    const text = await readFile(ownConfig(), 'utf8');
    return new RegExp(`^Host ${alias}\\n  HostName (\\S+)$`, 'm').exec(text)?.[1];
  };

  it('a workstation without a host override points at its current address: none while stopped, a new one after a new launch', async () => {
    // The use cases in this process (as the app runs them): the rewrite hangs off the service's snapshots.
    const core = createCore({ home, env: { ...world.env, CLOUDRIG_SSH_CONFIG: userConfig } });
    const { service, sshConfig } = core;
    const addressOf = () => {
      const instance = service.cached('web')?.instance;
      return instance?.publicDns ?? instance?.publicIp ?? null;
    };
    await service.init({ ...service.spec('gpu'), name: 'web', sshHost: undefined, sshPort: 22, ingressCidr: 'auto' });
    await service.up('web', { waitSsh: false });
    await sshConfig.settled();
    const first = { id: service.cached('web')?.instance?.instanceId, address: addressOf() };
    expect(first.address).toBeTruthy();
    expect(await hostNameOf('web')).toBe(first.address);
    // gpu was not looked at by this process: its block keeps the address last written.
    expect(await hostNameOf('gpu')).toBe('127.0.0.1');

    await service.stop('web');
    await sshConfig.settled();
    expect(await hostNameOf('web')).toBe('web.not-running.cloudrig.invalid');
    const unresolvable = await system('ssh', ['-F', ownConfig(), '-o', 'BatchMode=yes', 'web', 'true']);
    expect(unresolvable.stderr).toContain('Could not resolve hostname web.not-running.cloudrig.invalid');

    await service.down('web');
    await service.up('web', { waitSsh: false });
    await sshConfig.settled();
    expect(service.cached('web')?.instance?.instanceId).not.toBe(first.id);
    expect(addressOf()).not.toBe(first.address);
    expect(await hostNameOf('web')).toBe(addressOf());
  });

  it('rig down ends by listing every instance still running or stopped in the account, one line each', async () => {
    const live = (await world.instances()).filter((i) => i.State?.Name === 'running');
    const tagged = (name: string) => live.find((i) => i.Tags?.some((t) => t.Key === 'cloudrig:workstation' && t.Value === name))?.InstanceId;
    const gpu = { instanceId: tagged('gpu') };
    const web = { instanceId: tagged('web') };
    expect(gpu.instanceId).toMatch(/^i-/);
    expect(web.instanceId).toMatch(/^i-/);
    const down = await rig(['down', 'web', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    const lines = down.stdout.trim().split('\n');
    const at = lines.indexOf('Still in this account (1):');
    expect(at, down.stdout).toBeGreaterThan(-1);
    expect(lines[at + 1]).toBe(`  us-east-1  ${String(gpu.instanceId)}  running  g4dn.xlarge  (workstation gpu)`);
    expect(down.stdout).not.toContain(String(web.instanceId));
  });
});
