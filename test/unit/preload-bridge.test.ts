import { describe, expect, it } from 'vitest';
import { buildBridge } from '../../src/preload/bridge.js';
import { eventChannels, requestChannels } from '../../src/shared/contract.js';

describe('the preload bridge', () => {
  it('exposes one named function per contract channel and event, and nothing else', () => {
    const api = buildBridge({ invoke: async () => null, subscribe: () => () => undefined });
    const expected = [...Object.values(requestChannels).map((c) => c.method), ...Object.values(eventChannels).map((e) => e.method)].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('sends each call on its channel with its payload', async () => {
    const sent: Array<[string, unknown]> = [];
    const api = buildBridge({
      invoke: async (channel, payload) => {
        sent.push([channel, payload]);
        return { ok: true, value: null };
      },
      subscribe: () => () => undefined,
    });
    await api.terminate({ saveImage: true });
    await api.start();
    await api.runChecks({ region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: false });
    expect(sent).toEqual([
      ['workstation:terminate', { saveImage: true }],
      ['workstation:start', undefined],
      ['checks:run', { region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: false }],
    ]);
  });

  it('hands listeners the event value only, and unsubscribes', () => {
    const listeners = new Map<string, (value: unknown) => void>();
    const api = buildBridge({
      invoke: async () => null,
      subscribe: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    });
    const seen: unknown[] = [];
    const off = api.onScreen((screen) => seen.push(screen));
    listeners.get('screen:show')?.('settings');
    off();
    expect(seen).toEqual(['settings']);
    expect(listeners.has('screen:show')).toBe(false);
  });
});
