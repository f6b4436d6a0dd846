import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfSettingsStore } from '../../src/adapters/store/settings-store.js';
import { FileLaunchLedger } from '../../src/adapters/store/launch-ledger.js';
import { FileSetupFailures } from '../../src/adapters/store/setup-failures.js';
import { resolveHome } from '../../src/adapters/store/home.js';
import { WorkstationSpecSchema } from '../../src/shared/workstation.js';
import { fixWorded } from '../support/fix-matchers.js';

const spec = WorkstationSpecSchema.parse({
  name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge',
  image: { kind: 'ami', imageId: 'ami-12345678' }, ingressCidr: '203.0.113.7/32',
});

describe('the settings file on disk', () => {
  it('is written as JSON readable only by the user, and read back by a second store (the app and the CLI)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-settings-'));
    new ConfSettingsStore(home).saveWorkstation(spec);
    const file = join(home, 'settings.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ schemaVersion: 1, current: 'gpu', workstations: { gpu: { region: 'us-east-1' } } });
    expect(new ConfSettingsStore(home).read().workstations.gpu).toEqual(spec);
  });

  it('is read again each time: another writer\'s change, and then damage, are seen by a store that read it before', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-settings-'));
    const app = new ConfSettingsStore(home);
    app.saveWorkstation(spec);
    expect(app.read().workstations.gpu?.instanceType).toBe('g4dn.xlarge');
    new ConfSettingsStore(home).saveWorkstation({ ...spec, instanceType: 'g5.xlarge' });
    expect(app.read().workstations.gpu?.instanceType).toBe('g5.xlarge');
    await writeFile(join(home, 'settings.json'), '{"workstations": {');
    expect(() => app.read()).toThrow(expect.objectContaining({ code: 'SettingsDamaged' }));
  });

  it('gives each reader its own settings: a change made to what one read is neither saved nor seen by the next read', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-settings-'));
    const store = new ConfSettingsStore(home);
    store.saveWorkstation(spec);
    const first = store.read();
    first.workstations.gpu!.instanceType = 'p5.48xlarge';
    (first as { current: string | null }).current = null;
    expect(store.read().workstations.gpu?.instanceType).toBe('g4dn.xlarge');
    expect(store.read().current).toBe('gpu');
    expect(JSON.parse(await readFile(join(home, 'settings.json'), 'utf8')).workstations.gpu.instanceType).toBe('g4dn.xlarge');
  });

  it('a damaged file gives a clear error with the fix, and is not overwritten', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-settings-'));
    await writeFile(join(home, 'settings.json'), '{"workstations": {');
    expect(() => new ConfSettingsStore(home).read()).toThrow(expect.objectContaining({
      code: 'SettingsDamaged',
      fix: fixWorded('cli', 'move it away'),
    }));
    expect(await readFile(join(home, 'settings.json'), 'utf8')).toBe('{"workstations": {');
  });

  it('a file from a newer CloudRig asks for an update instead of being rewritten', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-settings-'));
    await writeFile(join(home, 'settings.json'), JSON.stringify({ schemaVersion: 9 }));
    expect(() => new ConfSettingsStore(home).read()).toThrow(expect.objectContaining({ code: 'SettingsTooNew' }));
  });

  it('a field of the wrong type is named in the error', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-settings-'));
    await writeFile(join(home, 'settings.json'), JSON.stringify({ schemaVersion: 1, workstations: { gpu: { ...spec, diskGiB: 'big' } } }));
    expect(() => new ConfSettingsStore(home).read()).toThrow(/workstations\.gpu\.diskGiB/);
  });

  it('a damaged launch record is ignored (AWS tags are the truth), not fatal', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-ledger-'));
    const ledger = new FileLaunchLedger(home);
    await ledger.put('gpu', { clientToken: 'tok', requestedAt: 1, instanceId: null });
    expect((await stat(ledger.pathOf('gpu'))).mode & 0o777).toBe(0o600);
    await writeFile(ledger.pathOf('gpu'), '{"clientTo');
    expect(await ledger.get('gpu')).toBeNull();
  });

  it('a setup failure in a state folder that is a file: every step says to move the file away, not errno text', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cloudrig-setup-'));
    await writeFile(join(home, 'state'), 'not a folder\n');
    const failures = new FileSetupFailures(home);
    const record = { instanceId: 'i-0abc', failure: { code: 'SetupScriptFailed' as const, message: 'The setup script failed (exit 2).', fix: { action: 'report-bug' as const } } };
    const unusable = expect.objectContaining({ code: 'HomeUnusable', fix: { action: 'move-file-away', path: join(home, 'state') } });
    await expect(failures.put('gpu', record)).rejects.toEqual(unusable);
    await expect(failures.put('gpu', null)).rejects.toEqual(unusable);
    await expect(failures.get('gpu')).rejects.toEqual(unusable);
  });
});

describe('the CloudRig home', () => {
  it('is CLOUDRIG_HOME when set, else the platform config dir', () => {
    expect(resolveHome({ CLOUDRIG_HOME: '/x' }, 'linux', '/home/a')).toBe('/x');
    expect(resolveHome({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Application Support/CloudRig');
    expect(resolveHome({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toMatch(/AppData.Roaming.CloudRig$/);
    expect(resolveHome({ XDG_CONFIG_HOME: '/home/a/.cfg' }, 'linux', '/home/a')).toBe('/home/a/.cfg/CloudRig');
    expect(resolveHome({}, 'linux', '/home/a')).toBe('/home/a/.config/CloudRig');
  });
});
