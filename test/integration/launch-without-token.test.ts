// A second instance that nobody knows of bills all month, so a retried launch must not leave one.
// The case no other test reproduces: one lost RunInstances answer on an endpoint that does not
// honour ClientToken (the SDK's retry then launches a second instance). Through `rig` against moto
// + the cloud proxy with its token contract switched off, as moto itself behaves.
import { describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ hold: { pendingMs: 500, stoppingMs: 500, shuttingDownMs: 300 }, eachTest: { init: true } });

describe('a lost RunInstances answer on an endpoint that ignores ClientToken', () => {
  it('rig up ends with one live instance: the second launch is found and terminated, and status shows no duplicate', async () => {
    world.cloud.proxy.setClientTokenHonoured(false);
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'drop-after-apply', times: 1 });
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    // The SDK retried, and the endpoint launched again: two instances were made.
    const all = await world.instances();
    expect(all).toHaveLength(2);
    const live = all.filter((i) => ['pending', 'running', 'stopping', 'stopped'].includes(i.State?.Name ?? ''));
    expect(live).toHaveLength(1);
    const status = await world.statusJson();
    expect(status).toMatchObject({ instanceId: live[0]!.InstanceId });
    expect(status.duplicates ?? []).toEqual([]);
  });
});
