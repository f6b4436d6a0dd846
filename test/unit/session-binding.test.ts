import { describe, expect, it } from 'vitest';
import { cliFix } from '../../src/cli/fix-wording.js';
import { launchTokensOf } from '../../src/core/host-keys.js';
import { sessionEndedBy } from '../../src/core/app/session-binding.js';
import type { InstanceFacts } from '../../src/shared/workstation.js';

const instance = (instanceId: string, state: InstanceFacts['state']): InstanceFacts => ({
  instanceId, state, instanceType: 'g4dn.xlarge', publicIp: '198.51.100.4', publicDns: null, launchedAt: null,
  availabilityZone: null, spot: false, imageId: null, stateReason: null,
});

describe('a session bound to its instance', () => {
  it('carries on while the workstation has that instance, running or stopped (a restart keeps its host key)', () => {
    expect(sessionEndedBy('gpu', 'i-1', instance('i-1', 'running'))).toBeNull();
    expect(sessionEndedBy('gpu', 'i-1', instance('i-1', 'stopped'))).toBeNull();
  });

  it('ends when the instance is terminated or gone, naming it and the command that shows what runs now', () => {
    for (const now of [null, instance('i-1', 'shutting-down'), instance('i-1', 'terminated')]) {
      const ended = sessionEndedBy('gpu', 'i-1', now);
      expect(ended?.code).toBe('SessionEnded');
      expect(ended?.message).toBe("Workstation gpu's instance i-1 was terminated");
      expect(ended?.fix).toEqual({ action: 'reconnect', name: 'gpu' });
      expect(cliFix(ended!.fix)).toContain('`rig status gpu`');
    }
  });

  it('ends when the workstation now has another instance', () => {
    expect(sessionEndedBy('gpu', 'i-1', instance('i-2', 'running'))?.message).toBe("Workstation gpu's instance i-1 was replaced by i-2");
  });
});

describe('the tokens a launch\'s host key may be derived from', () => {
  it('are the token itself, and for a launch retried in another zone also the token it began with', () => {
    const begun = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(launchTokensOf(begun)).toEqual([begun]);
    expect(launchTokensOf(`${begun}-subnet-0a1b2c3d4e5f`)).toEqual([begun, `${begun}-subnet-0a1b2c3d4e5f`]);
  });
});
