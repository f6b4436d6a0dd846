import { describe, expect, it } from 'vitest';
import { shellQuote, sshArgs, sshCommandLine, sshPathValue, sshTargetOf } from '../../src/core/ssh-command.js';
import { validateSshHost, validateSshUser } from '../../src/core/validate.js';
import { isSshHost, isSshUser, WorkstationSpecSchema, type InstanceFacts } from '../../src/shared/workstation.js';
import { fixWorded } from '../support/fix-matchers.js';

const spec = WorkstationSpecSchema.parse({
  name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge',
  image: { kind: 'ami', imageId: 'ami-12345678' }, ingressCidr: '203.0.113.7/32',
});
const instance: InstanceFacts = {
  instanceId: 'i-1', state: 'running', instanceType: 'g4dn.xlarge', publicIp: '198.51.100.4',
  publicDns: 'ec2-198-51-100-4.compute-1.amazonaws.com', launchedAt: null, availabilityZone: null,
  spot: false, imageId: null, stateReason: null,
};

describe('the ssh command', () => {
  it('connects to the public DNS name with the workstation key, checking the host key strictly against a per-workstation known_hosts', () => {
    const target = sshTargetOf(spec, instance, '/home/a/keys/cloudrig-gpu.pem', '/home/a/known_hosts/gpu');
    expect(target).toMatchObject({ workstation: 'gpu', instanceId: 'i-1' });
    expect(sshCommandLine(target!)).toBe(
      'ssh -i /home/a/keys/cloudrig-gpu.pem -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes ' +
      '-o UserKnownHostsFile=/home/a/known_hosts/gpu ubuntu@ec2-198-51-100-4.compute-1.amazonaws.com');
  });

  it('escapes a known_hosts path with spaces, quotes and backslashes so ssh does not split it (no double quotes added)', () => {
    const target = sshTargetOf(spec, instance, '/k', '/Users/a/Library/Application Support/CloudRig/known_hosts/gpu')!;
    expect(sshArgs(target)).toContain('UserKnownHostsFile=/Users/a/Library/Application\\ Support/CloudRig/known_hosts/gpu');
    expect(sshPathValue(`/h/it's "x"\\y`)).toBe(`/h/it\\'s\\ \\"x\\"\\\\y`);
    expect(sshPathValue('C:\\Users\\Jo Ann\\AppData\\Roaming\\CloudRig\\known_hosts\\gpu'))
      .toBe('C:\\\\Users\\\\Jo\\ Ann\\\\AppData\\\\Roaming\\\\CloudRig\\\\known_hosts\\\\gpu');
  });

  it('writes a % in a path as %%, which ssh reads back as one %', () => {
    expect(sshPathValue('/h/100%/known hosts')).toBe('/h/100%%/known\\ hosts');
    expect(sshArgs(sshTargetOf(spec, instance, '/h/100%/key', '/h/kh')!).slice(0, 2)).toEqual(['-i', '/h/100%%/key']);
  });

  it.each(['/h/${HOME}/k', '~/k', '/h/new\nline'])('refuses a path ssh would expand or cut: %j', (path) => {
    expect(() => sshPathValue(path)).toThrow(expect.objectContaining({ code: 'UnusablePath', fix: fixWorded('cli', 'CLOUDRIG_HOME') }));
    expect(() => sshArgs(sshTargetOf(spec, instance, path, '/h')!)).toThrow(expect.objectContaining({ code: 'UnusablePath' }));
  });

  it('uses the host and port override and quotes paths with spaces', () => {
    const target = sshTargetOf({ ...spec, sshHost: '127.0.0.1', sshPort: 2222 }, instance,
      '/Users/a/Library/Application Support/CloudRig/keys/cloudrig-gpu.pem', '/k');
    const line = sshCommandLine(target!);
    expect(line).toContain("-i '/Users/a/Library/Application Support/CloudRig/keys/cloudrig-gpu.pem'");
    expect(line).toContain('-p 2222 ubuntu@127.0.0.1');
  });

  it('has no target before the instance has an address', () => {
    expect(sshTargetOf(spec, { ...instance, publicDns: null, publicIp: null }, '/k', '/h')).toBeNull();
  });

  it('passes a remote command after --', () => {
    const target = sshTargetOf(spec, instance, '/k', '/h')!;
    expect(sshArgs(target, ['echo', 'hi']).slice(-3)).toEqual(['--', 'echo', 'hi']);
  });

  it.each([
    ['-oProxyCommand=touch /tmp/owned', '198.51.100.4'],
    ['', '198.51.100.4'],
    ['ubuntu', '-oProxyCommand=touch /tmp/owned'],
    ['ubuntu', 'h;touch x'],
    ['ubuntu', 'h x'],
  ])('builds no argv for user %j at host %j (a value could become an option)', (user, host) => {
    expect(() => sshArgs({ host, port: 22, user, keyPath: '/k', knownHostsPath: '/h' })).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
  });

  it('quotes single quotes safely', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('ssh user and host validation', () => {
  it.each(['ubuntu', 'ec2-user', 'ab.c_d', '_svc', 'Admin'])('accepts the login name %j', (user) => {
    expect(isSshUser(user)).toBe(true);
    expect(validateSshUser(user)).toBe(user);
  });

  it.each(['', '-oProxyCommand=x', '-l', 'a b', 'a;b', 'a$(id)', 'a`id`', "a'b", 'a"b', 'a|b', 'a&b', 'a\nb', 'root@h', '%PATH%', 'x'.repeat(33)])(
    'refuses the login name %j with a fix saying what one looks like', (user) => {
      expect(isSshUser(user)).toBe(false);
      expect(() => validateSshUser(user)).toThrow(expect.objectContaining({
        code: 'InvalidInput', fix: fixWorded('cli', /^--ssh-user: .*e\.g\. ubuntu/),
      }));
    });

  it.each(['gpu.example.com', 'localhost', '127.0.0.1', '203.0.113.7', '2001:db8::7', '::1', '::ffff:192.0.2.1', 'fe80::1:2:3:4:5:6', 'my_host.lan', 'a-b.c'])(
    'accepts the host %j', (host) => {
      expect(isSshHost(host)).toBe(true);
    });

  it.each(['', '-oProxyCommand=x', '-p', 'h;id', 'h x', 'h\nx', 'h$(id)', 'h`id`', "h'x", 'h"x', 'h|x', 'h&x', 'u@h', '%PATH%', 'h/x',
    '256.1.1.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '-h.com', 'h-.com', 'a..b', 'x'.repeat(64) + '.com'])(
    'refuses the host %j with a fix saying what one looks like', (host) => {
      expect(isSshHost(host)).toBe(false);
      expect(() => validateSshHost(host)).toThrow(expect.objectContaining({
        code: 'InvalidInput', fix: fixWorded('cli', /^--ssh-host: pass a host name \(gpu\.example\.com\), an IPv4 address/),
      }));
    });

  it('takes a bracketed IPv6 literal and stores it bare', () => {
    expect(validateSshHost('[2001:db8::7]')).toBe('2001:db8::7');
  });

  it('the settings schema refuses the same values, so a hand-edited file is checked too', () => {
    const base = { name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', image: { kind: 'ami', imageId: 'ami-12345678' }, ingressCidr: '203.0.113.7/32' };
    expect(WorkstationSpecSchema.safeParse({ ...base, sshUser: '-oProxyCommand=x' }).success).toBe(false);
    expect(WorkstationSpecSchema.safeParse({ ...base, sshUser: '' }).success).toBe(false);
    expect(WorkstationSpecSchema.safeParse({ ...base, sshHost: 'h;touch x' }).success).toBe(false);
    expect(WorkstationSpecSchema.safeParse({ ...base, sshHost: '127.0.0.1', sshUser: 'ec2-user' }).success).toBe(true);
  });
});
