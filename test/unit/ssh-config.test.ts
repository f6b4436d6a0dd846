import { describe, expect, it } from 'vitest';
import {
  displayedSshArgv,
  displayedSshCommand,
  hasIncludeLine,
  hostNamesIn,
  includeLine,
  renderSshConfig,
  sshHostEntryOf,
  withIncludeLine,
  withoutIncludeLine,
  type SshHostEntry,
} from '../../src/core/ssh-config.js';
import { sshArgs, sshCommandLine } from '../../src/core/ssh-command.js';
import { WorkstationSpecSchema, type InstanceFacts, type ScannedInstance } from '../../src/shared/workstation.js';
import { remoteFolder, remoteFolderUri } from '../../src/cli/code-command.js';
import { reportLeftovers } from '../../src/cli/session-end.js';
import { fixWorded } from '../support/fix-matchers.js';

const spec = WorkstationSpecSchema.parse({
  name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge',
  image: { kind: 'ami', imageId: 'ami-12345678' }, ingressCidr: '203.0.113.7/32',
});
const running: InstanceFacts = {
  instanceId: 'i-1', state: 'running', instanceType: 'g4dn.xlarge', publicIp: '198.51.100.4',
  publicDns: 'ec2-198-51-100-4.compute-1.amazonaws.com', launchedAt: null, availabilityZone: null,
  spot: false, imageId: null, stateReason: null,
};
const HOME = '/Users/a/Library/Application Support/CloudRig';
const paths = { identityFile: `${HOME}/keys/cloudrig-gpu.pem`, knownHostsFile: `${HOME}/known_hosts/gpu` };
const entry: SshHostEntry = sshHostEntryOf(spec, running, paths, false);

describe('CloudRig\'s ssh config', () => {
  it('writes one Host block per workstation with every connection setting, paths quoted', () => {
    const text = renderSshConfig([entry]);
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      '',
      'Host gpu',
      '  HostName ec2-198-51-100-4.compute-1.amazonaws.com',
      '  User ubuntu',
      '  Port 22',
      `  IdentityFile "${HOME}/keys/cloudrig-gpu.pem"`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile "${HOME}/known_hosts/gpu"`,
      '  StrictHostKeyChecking accept-new',
      '  ServerAliveInterval 30',
      '',
    ]);
  });

  it('checks host keys strictly once the key is pinned', () => {
    expect(renderSshConfig([{ ...entry, pinned: true }])).toContain('  StrictHostKeyChecking yes\n');
  });

  it('uses the ssh host and port override, and the public IP when there is no DNS name', () => {
    expect(sshHostEntryOf({ ...spec, sshHost: '10.8.0.2', sshPort: 2222 }, running, paths, false)).toMatchObject({ hostName: '10.8.0.2', port: 2222 });
    expect(sshHostEntryOf(spec, { ...running, publicDns: null }, paths, false).hostName).toBe('198.51.100.4');
  });

  it('points a stopped or absent workstation at a name that never resolves and says why', () => {
    for (const instance of [null, { ...running, state: 'stopped' as const, publicIp: null, publicDns: null }, { ...running, state: 'terminated' as const }]) {
      const e = sshHostEntryOf(spec, instance, paths, false);
      expect(e.hostName).toBeNull();
      expect(renderSshConfig([e])).toContain('  HostName gpu.not-running.cloudrig.invalid\n');
    }
  });

  it('doubles % in paths (ssh expands %x there) and keeps every block sorted by name', () => {
    const text = renderSshConfig([
      { ...entry, alias: 'zeta', identityFile: '/h/50%/k.pem' },
      { ...entry, alias: 'alpha' },
    ]);
    expect(text).toContain('IdentityFile "/h/50%%/k.pem"');
    expect(text.indexOf('Host alpha')).toBeLessThan(text.indexOf('Host zeta'));
  });

  it.each([
    ['a newline in the user', { user: 'ubuntu\nProxyCommand touch /tmp/pwned' }, /User "ubuntu\\nProxyCommand/],
    ['a space in the host', { hostName: 'evil.example.com -oProxyCommand=x' }, /HostName/],
    ['a host starting with a dash', { hostName: '-oProxyCommand=x' }, /HostName/],
    ['a percent in the host', { hostName: 'a%h' }, /HostName/],
    ['a pattern in the alias', { alias: 'gpu*' }, /Host alias/],
    ['a quote in a path', { identityFile: '/h/a"b/k.pem' }, /double quote/],
    ['a backslash in a path', { knownHostsFile: '/h/a\\"/k' }, /double quote or a backslash/],
    ['a newline in a path', { knownHostsFile: '/h/a\nHost */k' }, /control character/],
    ['an environment variable in a path', { identityFile: '/h/${HOME}/k.pem' }, /environment variable/],
    ['a relative path', { identityFile: 'keys/k.pem' }, /absolute path/],
    ['port 0', { port: 0 }, /Port/],
  ] as const)('refuses %s instead of writing it', (_what, change, message) => {
    const render = () => renderSshConfig([{ ...entry, ...change }]);
    expect(render).toThrow(message);
    try {
      render();
    } catch (error) {
      expect((error as { code: string }).code).toBe('UnsafeSshConfigValue');
      expect((error as Error).message).not.toContain('\n');
      expect((error as { fix: unknown }).fix).toEqual(fixWorded('cli', /^--(name|ssh-host|ssh-user|ssh-port): |CLOUDRIG_HOME/));
    }
  });

  it('reads back the addresses it wrote, but not the never-resolving placeholder', () => {
    const text = renderSshConfig([entry, { ...entry, alias: 'cpu', hostName: null }, { ...entry, alias: 'box', hostName: '10.0.0.9' }]);
    expect([...hostNamesIn(text)]).toEqual([['box', '10.0.0.9'], ['gpu', entry.hostName]]);
  });
});

describe('the Include line in the user\'s ssh config', () => {
  const line = includeLine(`${HOME}/ssh_config`);
  const user = 'Host work\n  User me\n\nMatch host *.corp exec "true"\n  ProxyJump bastion\n\nHost *\n  AddKeysToAgent yes\nInclude config.d/*\n';

  it('is one quoted Include of the absolute path, with no % doubling (Include does not expand %)', () => {
    expect(line).toBe(`Include "${HOME}/ssh_config"`);
    expect(includeLine('/h/50%/ssh_config')).toBe('Include "/h/50%/ssh_config"');
    expect(() => includeLine('/h/[x]/ssh_config')).toThrow(/globs/);
  });

  it('goes first, and taking it out gives the file back exactly', () => {
    const installed = withIncludeLine(user, line);
    expect(installed).toBe(`${line}\n${user}`);
    expect(hasIncludeLine(installed, line)).toBe(true);
    expect(withIncludeLine(installed, line)).toBe(installed);
    expect(withoutIncludeLine(installed, line)).toBe(user);
  });

  it('keeps CRLF files CRLF, and files without a final newline or empty ones intact', () => {
    const crlf = 'Host a\r\n  User b\r\n';
    expect(withIncludeLine(crlf, line)).toBe(`${line}\r\n${crlf}`);
    expect(withoutIncludeLine(withIncludeLine(crlf, line), line)).toBe(crlf);
    for (const text of ['Host a\n  User b', '']) expect(withoutIncludeLine(withIncludeLine(text, line), line)).toBe(text);
  });

  it('takes out only the exact line, not a similar one the user wrote', () => {
    const other = `# ${line}\nInclude "${HOME}/ssh_config.d/*"\n`;
    expect(hasIncludeLine(other, line)).toBe(false);
    expect(withoutIncludeLine(other, line)).toBe(other);
  });
});

describe('the ssh command surfaces show', () => {
  const target = { host: '127.0.0.1', port: 2222, user: 'ubuntu', keyPath: '/k/cloudrig-gpu.pem', knownHostsPath: '/k/gpu' };
  it('is `ssh <name>` once the include is installed, else the full command', () => {
    expect(displayedSshCommand('gpu', target, true)).toBe('ssh gpu');
    expect(displayedSshCommand('gpu', target, false)).toBe(sshCommandLine(target));
  });

  it('and the terminal the app opens runs the same', () => {
    expect(displayedSshArgv('gpu', target, true)).toEqual(['ssh', 'gpu']);
    expect(displayedSshArgv('gpu', target, false)).toEqual(['ssh', ...sshArgs(target)]);
  });
});

describe('rig code', () => {
  it('opens the login user\'s home by default and resolves relative folders against it', () => {
    expect(remoteFolder(undefined, 'ubuntu')).toBe('/home/ubuntu');
    expect(remoteFolder('~/proj', 'ubuntu')).toBe('/home/ubuntu/proj');
    expect(remoteFolder('proj', 'root')).toBe('/root/proj');
    expect(remoteFolder('/data', 'ubuntu')).toBe('/data');
    expect(() => remoteFolder('/a\nb', 'ubuntu')).toThrow(/control character/);
  });

  it('builds the Remote-SSH URI with the alias as host and the folder percent-encoded', () => {
    expect(remoteFolderUri('gpu', '/home/ubuntu/my project')).toBe('vscode-remote://ssh-remote+gpu/home/ubuntu/my%20project');
  });
});

describe('the end-of-session report after rig down', () => {
  const report = async (scan: () => Promise<ScannedInstance[]>) => {
    const lines: string[] = [];
    await reportLeftovers(scan, (line) => lines.push(line));
    return lines;
  };

  it('lists each instance with its region, state, type and owner', async () => {
    expect(await report(async () => [
      { region: 'eu-west-1', instanceId: 'i-0a', state: 'stopped', instanceType: 'g5.xlarge', workstation: 'old', launchedAt: null },
      { region: 'us-east-2', instanceId: 'i-0b', state: 'running', instanceType: 't3.micro', workstation: null, launchedAt: null },
    ])).toEqual([
      'Still in this account (2):',
      '  eu-west-1  i-0a  stopped  g5.xlarge  (workstation old)',
      "  us-east-2  i-0b  running  t3.micro  (not CloudRig's)",
      'Stop or terminate what you no longer need (rig stop / rig down for a workstation; the EC2 console for the others).',
    ]);
  });

  it('says when nothing is left, and how to look when the scan fails', async () => {
    expect(await report(async () => [])).toEqual(['Nothing else is running or stopped in this account, in any region.']);
    expect(await report(() => Promise.reject(new Error('throttled')))).toEqual(['Could not check the other regions for instances still running; run `rig scan` to see them.']);
  });
});
