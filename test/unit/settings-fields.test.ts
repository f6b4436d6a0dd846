import { describe, expect, it } from 'vitest';
import { fieldPath, likelyMeant, strayFields, withStrayFields } from '../../src/adapters/store/settings-fields.js';
import { SettingsSchema } from '../../src/shared/settings.js';

const spec = { name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', image: { kind: 'ami', imageId: 'ami-12345678' }, ingressCidr: '203.0.113.7/32' };

describe('fields of settings.json the schema does not know', () => {
  it('are found at any depth, inside records and lists, with their paths', () => {
    const raw = {
      myTool: 1,
      workstations: { gpu: { ...spec, note: 'x', image: { ...spec.image, arch: 'arm' } } },
      reopenTunnels: { gpu: [{ label: null, localPort: 8888, remoteHost: 'localhost', remotePort: 8888, color: 'red' }] },
    };
    const parsed = SettingsSchema.parse(raw);
    expect(strayFields(raw, parsed).map((stray) => fieldPath(stray.path)).sort())
      .toEqual(['myTool', 'reopenTunnels.gpu[0].color', 'workstations.gpu.image.arch', 'workstations.gpu.note']);
  });

  it('are put back after a change, except where the change removed their parent', () => {
    const raw = { myTool: 1, workstations: { gpu: { ...spec, note: 'x' }, old: { ...spec, name: 'old', note: 'y' } } };
    const parsed = SettingsSchema.parse(raw);
    const strays = strayFields(raw, parsed);
    const { old: _removed, ...kept } = parsed.workstations;
    const next = withStrayFields({ ...parsed, workstations: kept }, strays) as unknown as Record<string, unknown>;
    expect(next.myTool).toBe(1);
    expect((next.workstations as Record<string, Record<string, unknown>>).gpu!.note).toBe('x');
    expect(Object.keys(next.workstations as object)).toEqual(['gpu']);
  });

  it('a name one or two letters from a known field is a typo of it; a short or far-off name is not', () => {
    const at = (path: (string | number)[]) => likelyMeant(SettingsSchema, { path, value: true });
    expect(at(['workstations', 'gpu', 'seedHostkey'])).toBe('seedHostKey');
    expect(at(['workstations', 'gpu', 'diskGib'])).toBe('diskGiB');
    expect(at(['reminders', 'afterHour'])).toBe('afterHours');
    expect(at(['startAtLogn'])).toBe('startAtLogin');
    expect(at(['workstations', 'gpu', 'slot'])).toBe('spot');
    expect(at(['workstations', 'gpu', 'gpus'])).toBeNull();
    expect(at(['myTool'])).toBeNull();
    expect(at(['workstations', 'gpu', 'note'])).toBeNull();
  });
});
