import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import { createRouter, originOf, senderFrom, type Handlers, type Sender } from '../../src/main/ipc-router.js';
import { requestChannels } from '../../src/shared/contract.js';

const popover: Sender = { url: 'app://cloudrig/index.html', isMainFrame: true };

/** Handlers that record what they were called with and answer `handled`. */
function recordingHandlers(overrides: Partial<Record<string, (payload: unknown) => unknown>> = {}) {
  const calls: Array<[string, unknown]> = [];
  const handlers = Object.fromEntries(Object.keys(requestChannels).map((channel) => [channel, (payload: unknown) => {
    calls.push([channel, payload]);
    return overrides[channel] ? overrides[channel](payload) : 'handled';
  }])) as unknown as Handlers;
  return { calls, handlers };
}

function router(overrides?: Partial<Record<string, (payload: unknown) => unknown>>) {
  const { calls, handlers } = recordingHandlers(overrides);
  const log: string[] = [];
  return { calls, log, router: createRouter(handlers, senderFrom('app://cloudrig'), (line) => log.push(line)) };
}

describe('IPC router', () => {
  it('routes a valid request from the popover to its handler with the parsed payload', async () => {
    const { calls, router: r } = router();
    await expect(r.handle('workstation:terminate', popover, { saveImage: true })).resolves.toEqual({ ok: true, value: 'handled' });
    await expect(r.handle('view:get', popover, undefined)).resolves.toEqual({ ok: true, value: 'handled' });
    expect(calls).toEqual([['workstation:terminate', { saveImage: true }], ['view:get', undefined]]);
  });

  it('refuses a channel the contract does not name, without calling anything', async () => {
    const { calls, log, router: r } = router();
    for (const channel of ['workstation:format-disk', '__proto__', 'toString', 42, null]) {
      await expect(r.handle(channel, popover, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
    }
    expect(calls).toEqual([]);
    expect(log[0]).toBe('ipc: refused unknown channel workstation:format-disk');
  });

  it('refuses senders that are not the top frame of the app origin', async () => {
    const { calls, router: r } = router();
    const strangers: Sender[] = [
      { url: 'https://evil.example/index.html', isMainFrame: true },
      { url: 'app://cloudrig/index.html', isMainFrame: false },
      { url: 'app://cloudrig.evil/index.html', isMainFrame: true },
      { url: 'file:///tmp/index.html', isMainFrame: true },
      { url: '', isMainFrame: true },
    ];
    for (const sender of strangers) {
      await expect(r.handle('ssh:copy', sender, undefined), sender.url).resolves.toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
    }
    expect(calls).toEqual([]);
  });

  it('refuses a payload that fails the channel schema, naming the field', async () => {
    const { calls, router: r } = router();
    await expect(r.handle('workstation:terminate', popover, { saveImage: 'yes' })).resolves.toMatchObject({ ok: false, error: { code: 'InvalidPayload', message: expect.stringContaining('saveImage') } });
    await expect(r.handle('workstation:terminate', popover, { saveImage: true, force: true })).resolves.toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    await expect(r.handle('workstation:start', popover, { instanceId: 'i-1' })).resolves.toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    await expect(r.handle('link:open', popover, { target: 'https://evil.example', region: 'us-east-1' })).resolves.toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
    await expect(r.handle('quota:request', popover, { region: 'us-east-1', quotaCode: 'L-DB2E81BA', desired: -4 })).resolves.toMatchObject({ ok: false });
    expect(calls).toEqual([]);
  });

  it('trims access keys and refuses ones that cannot be keys', async () => {
    const { calls, router: r } = router();
    await r.handle('credentials:save', popover, { accessKeyId: ' AKIAIOSFODNN7EXAMPLE ', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    expect(calls[0]?.[1]).toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    await expect(r.handle('credentials:save', popover, { accessKeyId: 'akia-lower', secretAccessKey: 'x' })).resolves.toMatchObject({ ok: false, error: { code: 'InvalidPayload' } });
  });

  it('returns a handler\'s error as a value with its structured fix, never a rejection', async () => {
    const QUOTA_FIX = { action: 'request-quota', region: 'us-east-1', quotaCode: 'L-DB2E81BA', quotaName: 'G and VT', desired: 4 } as const;
    const { router: r } = router({
      'workstation:start': () => {
        throw new CloudRigError('VcpuLimitExceeded', 'Your vCPU quota is too low.', QUOTA_FIX);
      },
      'workstation:stop': () => Promise.reject(new Error('socket hang up')),
    });
    await expect(r.handle('workstation:start', popover, undefined)).resolves.toEqual({
      ok: false, error: { code: 'VcpuLimitExceeded', message: 'Your vCPU quota is too low.', fix: QUOTA_FIX },
    });
    await expect(r.handle('workstation:stop', popover, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'Unexpected', message: 'socket hang up' } });
  });

  it('lists exactly the contract channels, all named domain:verb', () => {
    const { router: r } = router();
    expect([...r.channels].sort()).toEqual(Object.keys(requestChannels).sort());
    for (const channel of r.channels) expect(channel).toMatch(/^[a-z]+:[a-z]+$/);
  });
});

describe('originOf', () => {
  it('gives custom schemes a usable origin and rejects junk', () => {
    expect(originOf('app://cloudrig/index.html#x')).toBe('app://cloudrig');
    expect(originOf('http://127.0.0.1:5173/')).toBe('http://127.0.0.1:5173');
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });
});
