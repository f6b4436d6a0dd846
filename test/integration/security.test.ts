import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appView } from '../../src/core/popover-model.js';
import { settingsView } from '../../src/core/settings-view.js';
import { createRouter, senderFrom, type Handlers, type Sender } from '../../src/main/ipc-router.js';
import { requestChannels, type RequestChannel } from '../../src/shared/contract.js';
import { SettingsSchema } from '../../src/shared/settings.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { appFix } from '../../src/shared/app-fix-wording.js';

/**
 * Security checks in CI, so a change that leaks a secret or lets a bad payload through fails here:
 * an IPC fuzz through the real router, no secret in logs, settings, errors or the renderer's view,
 * and the modes of the home and keys.
 */

const world = useRigWorld();
const results: Array<[string, string, string]> = [];

/** A small seeded generator, so a failing payload can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Valid payloads per channel, the seeds the fuzzer mutates. */
const VALID: Record<RequestChannel, unknown> = {
  'view:get': undefined,
  'workstation:save': {
    name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', imageKind: 'parameter', image: '/aws/service/x', diskGiB: 100, spot: false,
    sshUser: 'ubuntu', sshHost: '', sshPort: 22, ingressCidr: 'auto', autoStopEnabled: true, autoStopMinutes: 60,
  },
  'workstation:start': undefined,
  'workstation:stop': undefined,
  'workstation:terminate': { saveImage: false },
  'workstation:archive': undefined,
  'workstation:refresh': undefined,
  'ssh:copy': undefined,
  'terminal:open': undefined,
  'settings:get': undefined,
  'settings:update': { startAtLogin: true },
  'credentials:save': { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  'credentials:clear': undefined,
  'catalog:list': { region: 'us-east-1' },
  'checks:run': { region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: false },
  'quota:request': { region: 'us-east-1', quotaCode: 'L-DB2E81BA', desired: 4 },
  'link:open': { target: 'service-quotas', region: 'us-east-1' },
  'window:hide': undefined,
  'reminder:answer': { action: 'snooze' },
  'workstation:select': { name: 'gpu' },
  'forgotten:dismiss': { instanceId: 'i-0123456789abcdef0' },
  'forgotten:open': { instanceId: 'i-0123456789abcdef0' },
  'jupyter:open': undefined,
  'tunnel:tensorboard': undefined,
  'tunnel:browse': { localPort: 8888 },
  'tunnel:close': { localPort: 8888 },
  'editor:open': undefined,
  'setup:copy': undefined,
  'setup:open': undefined,
  'setup:dismiss': undefined,
  'project:choose': undefined,
  'project:push': undefined,
  'project:update': { pushOnStart: true, remote: '~/model' },
  'tunnel:reopen': { localPort: 6006, reopen: true },
  'tunnel:open': { localPort: 8080, remotePort: 8080 },
  'gpus:list': { scope: 'region', region: 'us-east-1', gpu: 'NVIDIA T4' },
  'resize:choices': { purpose: 'capacity' },
  'resize:plan': { instanceType: 'g5.xlarge', skipDriverCheck: false },
  'resize:apply': { instanceType: 'g5.xlarge', stopFirst: true, skipDriverCheck: false, startAfter: false },
};

/** A hostile value of some kind. */
function hostile(next: () => number): unknown {
  const pick = Math.floor(next() * 12);
  switch (pick) {
    case 0: return 'x'.repeat(1 + Math.floor(next() * 2_000_000));
    case 1: return JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
    case 2: return Number.NaN;
    case 3: return -1e308;
    case 4: return [1, 'two', { three: 3 }];
    case 5: return null;
    case 6: return '-oProxyCommand=touch /tmp/owned';
    case 7: return '$(touch /tmp/owned)';
    case 8: return { toString: 'not a function', valueOf: 42 };
    case 9: return true;
    case 10: return Object.create(null) as object;
    default: return '\u0000\u202e../../etc/passwd';
  }
}

/** A payload for `channel`: a valid one with a field replaced or added, or something else entirely. */
function fuzzPayload(channel: RequestChannel, next: () => number): unknown {
  const valid = VALID[channel];
  const mode = Math.floor(next() * 4);
  if (mode === 0 || typeof valid !== 'object' || valid === null) return hostile(next);
  const keys = Object.keys(valid);
  if (mode === 1) return { ...valid, [keys[Math.floor(next() * keys.length)]!]: hostile(next) };
  if (mode === 2) return { ...valid, ['__proto__']: { polluted: 'yes' }, extra: hostile(next) };
  return JSON.parse(`{"__proto__": {"polluted": "yes"}, ${JSON.stringify(valid).slice(1)}`);
}

const popover: Sender = { url: 'app://cloudrig/index.html', isMainFrame: true };

describe('IPC fuzz through the real router', () => {
  it('refuses or handles every random and hostile payload on every channel; no handler sees data its schema refuses', async () => {
    const next = random(8);
    const reachedInvalid: string[] = [];
    let handled = 0;
    const handlers = Object.fromEntries(Object.keys(requestChannels).map((channel) => [channel, (payload: unknown) => {
      // What reaches a handler must be exactly what the contract admits.
      if (!requestChannels[channel as RequestChannel].payload.safeParse(payload).success) reachedInvalid.push(channel);
      handled += 1;
      return null;
    }])) as unknown as Handlers;
    const router = createRouter(handlers, senderFrom('app://cloudrig'));
    const counts = { sent: 0, refused: 0, handled: 0, unknownChannel: 0, untrusted: 0 };
    const channels = Object.keys(requestChannels) as RequestChannel[];
    for (const channel of channels) {
      for (let i = 0; i < 60; i += 1) {
        const payload = fuzzPayload(channel, next);
        const result = await router.handle(channel, popover, payload);
        counts.sent += 1;
        if (result.ok) counts.handled += 1;
        else {
          counts.refused += 1;
          expect(appFix(result.error.fix).length).toBeGreaterThan(0);
          expect(`${result.error.message} ${appFix(result.error.fix)}`).not.toMatch(/\n\s+at /);
        }
      }
    }
    const strangers: unknown[] = ['__proto__', 'constructor', 'hasOwnProperty', 'workstation:format', '', 42, null, { channel: 'view:get' }, 'x'.repeat(100_000)];
    for (const channel of strangers) {
      const result = await router.handle(channel, popover, undefined);
      counts.sent += 1;
      expect(result).toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
      counts.unknownChannel += 1;
    }
    const senders: Sender[] = [
      { url: 'https://evil.example/', isMainFrame: true }, { url: 'app://cloudrig/index.html', isMainFrame: false },
      { url: 'app://cloudrig.evil/', isMainFrame: true }, { url: 'javascript:alert(1)', isMainFrame: true }, { url: 'x'.repeat(10_000), isMainFrame: true },
    ];
    for (const channel of channels) {
      for (const sender of senders) {
        const result = await router.handle(channel, sender, VALID[channel]);
        counts.sent += 1;
        expect(result).toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
        counts.untrusted += 1;
      }
    }
    expect(reachedInvalid).toEqual([]);
    expect(handled).toBe(counts.handled);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(counts.refused).toBeGreaterThan(counts.handled);
    results.push(['IPC fuzz', `${counts.sent} messages to ${channels.length} channels: ${counts.refused} payloads refused, ${counts.handled} valid ones handled, ${counts.unknownChannel} unknown channels and ${counts.untrusted} untrusted senders refused; 0 reached a handler unvalidated, no prototype polluted`, 'pass']);
  });
});

const ACCESS_KEY = 'AKIAQXCLOUDRIGTESTKEY';
const SECRET_KEY = 'cLoUdRiGsEcReT/tHiSmUsTnEvErLeAk0123456789';

describe('no secret reaches logs, settings, errors or the renderer', () => {
  it('rig --debug logs AWS calls but never the access keys or the private key, in success and in failure', async () => {
    await world.reset();
    const env = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY };
    const init = await world.rig(['--debug', ...initArgs(world)], { env });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/debug: aws us-east-1 ImportKeyPair ok status=200/);
    expect(init.stderr).toMatch(/debug: http POST 127\.0\.0\.1\S* -> 200 in \d+ms/);
    const status = await world.rig(['status', '--json'], { env: { ...env, CLOUDRIG_DEBUG: '1' } });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toMatch(/debug: aws us-east-1 DescribeInstances ok/);
    world.cloud.proxy.inject({ action: 'DescribeInstances', kind: 'error', status: 400, code: 'AuthFailure', message: `AWS was not able to validate ${ACCESS_KEY}`, times: Infinity });
    const failed = await world.rig(['--debug', 'status'], { env });
    world.cloud.proxy.clearFaults();
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/debug: aws us-east-1 DescribeInstances failed AuthFailure/);

    const pem = await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8');
    const keyLines = pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(0);
    const settings = await readFile(join(world.home, 'settings.json'), 'utf8');
    const secrets = [ACCESS_KEY, SECRET_KEY, ...keyLines];
    const places: Record<string, string> = {
      'init output': init.stdout + init.stderr,
      'status output': status.stdout + status.stderr,
      'failed status (error line)': failed.stdout + failed.stderr,
      'settings.json': settings,
    };
    for (const [place, text] of Object.entries(places)) {
      for (const secret of secrets) expect(text.includes(secret), `${place} holds a secret`).toBe(false);
    }
    // The settings file and the app's own state (sealed keys) the app reads, as the renderer sees them.
    const parsed = SettingsSchema.parse(JSON.parse(settings));
    const appState = { sealedCredentials: Buffer.from(SECRET_KEY).toString('base64'), startAtLogin: false };
    const views = JSON.stringify([
      settingsView(parsed, { current: 'gpu', profiles: [], keyStorage: { available: true }, terminals: [], hasInstance: false, appState }),
      appView(null, parsed, Date.now()),
    ]);
    for (const secret of [...secrets, Buffer.from(SECRET_KEY).toString('base64')]) expect(views.includes(secret)).toBe(false);
    results.push(['Secret scan', `access key id, secret key and ${keyLines.length} lines of private key material looked for in rig --debug output (success and failure), the error line, settings.json and the renderer's settings and app views: 0 found`, 'pass']);
  });

  it('a refused credentials payload does not echo the typed secret back', async () => {
    const router = createRouter(Object.fromEntries(Object.keys(requestChannels).map((c) => [c, () => null])) as unknown as Handlers, senderFrom('app://cloudrig'));
    const result = await router.handle('credentials:save', popover, { accessKeyId: 'not-a-key', secretAccessKey: SECRET_KEY });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET_KEY);
    const short = await router.handle('credentials:save', popover, { accessKeyId: ACCESS_KEY, secretAccessKey: 'short' });
    expect(JSON.stringify(short)).not.toContain('short"');
  });
});

describe('file modes', () => {
  it('creates the home 0700 (with every directory it makes) and the private key and settings 0600', async () => {
    await world.reset();
    const home = join(world.home, 'nested', 'CloudRig');
    const init = await world.rig(initArgs(world), { env: { CLOUDRIG_HOME: home } });
    expect(init.code, init.stderr).toBe(0);
    const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
    expect(await mode(join(world.home, 'nested'))).toBe(0o700);
    expect(await mode(home)).toBe(0o700);
    expect(await mode(join(home, 'keys'))).toBe(0o700);
    expect(await mode(join(home, 'keys', 'cloudrig-gpu.pem'))).toBe(0o600);
    expect(await mode(join(home, 'settings.json'))).toBe(0o600);
    const loose: string[] = [];
    for (const entry of await readdir(home, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if ((await mode(path)) & 0o077) loose.push(path);
    }
    expect(loose).toEqual([]);
    results.push(['File modes', 'home and every directory created for it 0700; settings.json, keys/*.pem and every other file 0600 (none readable by group or others)', 'pass']);
  });
});

afterAll(async ({}, file) => {
  await writeReliabilitySection('security', file, [
    'Generated by `test/integration/security.test.ts` (electronegativity runs separately as `npm run security`).',
    '',
    markdownTable(['Check', 'What was checked', 'Result'], results),
    '',
    AUDIT_NOTE,
  ].join('\n'));
});

/** The Electron the app ships, as package.json pins it (exactly), so the note never names a runtime no longer in use. */
const ELECTRON_VERSION = (JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['electron'];

/** `npm audit` needs the registry, so it is run by hand and recorded here with its date. */
const AUDIT_NOTE = [
  '**npm audit** (`npm audit --omit=dev --audit-level=high`, run again 2026-11-29 22:30 UTC): refused. The registry reachable from the',
  'build machines answers `405 Method Not Allowed` to `POST /-/npm/v1/security/advisories/bulk`, so no audit result exists. Checked by',
  'hand instead, the same day: `npm ls --omit=dev --all` lists 95 production packages; those that parse untrusted input or hold',
  `secrets were compared with their published advisories (GitHub advisory database and the maintainers' issue threads):`,
  'ssh2 1.17.0 (command injection CVE-2020-26301 fixed in 1.0.0; Terrapin CVE-2023-48795 strict key exchange since 1.15.0);',
  `@aws-sdk/* 3.1133–3.1175 on @aws-sdk/core 3.981.1 and @smithy/core 3.41.1 (the SDK's past high findings all came through`,
  'fast-xml-parser, which is not in the production tree: `npm ls fast-xml-parser --omit=dev` is empty; GHSA-j965-2qgj-vjmq is',
  'SDK v2 only); electron-store 11.0.2 and conf 15.1.0 (no advisories; their ajv 8.20.0, semver 7.8.6 and dot-prop 10.2.0 are',
  'past the fixes of CVE-2020-15366, CVE-2022-25883 and CVE-2020-8116). High or critical found: **0**, by this manual check, which',
  'does not replace the audit. Where registry.npmjs.org is reachable (CI, and before every release) run',
  '`npm audit --omit=dev --audit-level=high`: it exits non-zero on a high or critical finding, which then gets a line here saying',
  `whether it reaches CloudRig. The Electron runtime (${ELECTRON_VERSION}, a devDependency that ships inside the app) is not covered by`,
  "`--omit=dev`: it is checked against Electron's own security releases when it is upgraded, and kept on one of the three newest",
  'stable majors, the ones Electron supports (docs/tray-app.md, "Electron versions").',
].join('\n');
