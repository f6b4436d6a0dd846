import { describe, expect, it } from 'vitest';
import { shellQuote, sshArgs, sshCommandLine, sshTargetOf } from '../../src/core/ssh-command.js';
import { WorkstationSpecSchema, type InstanceFacts } from '../../src/shared/workstation.js';

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
  it('connects to the public DNS name with the workstation key and a per-workstation known_hosts', () => {
    const target = sshTargetOf(spec, instance, '/home/a/keys/cloudrig-gpu.pem', '/home/a/known_hosts/gpu');
    expect(sshCommandLine(target!)).toBe(
      'ssh -i /home/a/keys/cloudrig-gpu.pem -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new ' +
      '-o UserKnownHostsFile=/home/a/known_hosts/gpu ubuntu@ec2-198-51-100-4.compute-1.amazonaws.com');
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

  it('quotes single quotes safely', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
