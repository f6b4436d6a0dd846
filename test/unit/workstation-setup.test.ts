import { describe, expect, it } from 'vitest';
import { requestOfForm, specFromInput } from '../../src/core/app/workstation-setup.js';
import { fixWorded } from '../support/fix-matchers.js';
import { DEFAULT_FORM, formOf } from '../../src/core/settings-view.js';
import type { WorkstationForm } from '../../src/shared/views.js';
import type { WorkstationSpec } from '../../src/shared/workstation.js';
import { specOf } from './support/snapshots.js';

/** The form through the one spec builder, as the app's Save does. */
function specFromForm(form: WorkstationForm, existing: WorkstationSpec | null, hasInstance: boolean) {
  return specFromInput(requestOfForm(form), existing, hasInstance);
}

describe('specFromInput from the setup form', () => {
  it('turns the form into the spec init takes, with the auto-stop the form sets and the GPU threshold kept', () => {
    const existing = specOf({ autoStop: { enabled: true, idleMinutes: 60, gpuBusyPercent: 5 } });
    const form = { ...DEFAULT_FORM, sshHost: ' 127.0.0.1 ', sshPort: 2222, ingressCidr: '127.0.0.1', autoStopEnabled: false, autoStopMinutes: 90 };
    const spec = specFromForm(form, existing, false);
    expect(spec).toMatchObject({ name: 'gpu', sshHost: '127.0.0.1', sshPort: 2222, ingressCidr: '127.0.0.1/32', autoStop: { enabled: false, idleMinutes: 90, gpuBusyPercent: 5 } });
    expect(specFromForm(DEFAULT_FORM, null, false)).not.toHaveProperty('sshHost');
    expect(specFromForm(DEFAULT_FORM, null, false).autoStop).toEqual({ enabled: true, idleMinutes: 60, gpuBusyPercent: 10 });
  });

  it('shows the saved auto-stop in the form and refuses idle minutes the watchdog cannot use', () => {
    expect(formOf(specOf({ autoStop: { enabled: false, idleMinutes: 45, gpuBusyPercent: 10 } }))).toMatchObject({ autoStopEnabled: false, autoStopMinutes: 45 });
    expect(() => specFromForm({ ...DEFAULT_FORM, autoStopMinutes: 2 }, null, false)).toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('app', /^Settings → Workstation → Idle minutes before it stops: /) }));
  });

  it('refuses bad fields naming the field and the fix', () => {
    expect(() => specFromForm({ ...DEFAULT_FORM, region: 'mars-1' }, null, false)).toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('app', /^Settings → Workstation → Region: /) }));
    expect(() => specFromForm({ ...DEFAULT_FORM, imageKind: 'ami', image: 'ubuntu' }, null, false)).toThrow(expect.objectContaining({ fix: fixWorded('app', /^Settings → Workstation → Image \(AMI id\): /) }));
    expect(() => specFromForm({ ...DEFAULT_FORM, ingressCidr: '10.0.0.0/40' }, null, false)).toThrow(expect.objectContaining({ fix: fixWorded('app', /^Settings → Workstation → Allowed addresses \(CIDR\): /) }));
  });

  it('needs the "Allow ssh from anywhere" confirmation for 0.0.0.0/0 and remembers it in the spec', () => {
    expect(() => specFromForm({ ...DEFAULT_FORM, ingressCidr: '0.0.0.0/0' }, null, false))
      .toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('app', /^Settings → Workstation → Allowed addresses \(CIDR\): .*tick "Allow ssh from anywhere"/) }));
    expect(() => specFromForm({ ...DEFAULT_FORM, ingressCidr: '10.1.2.3/0', ingressAnywhere: true }, null, false))
      .toThrow(expect.objectContaining({ fix: fixWorded('app', '10.1.2.3/32') }));
    expect(specFromForm({ ...DEFAULT_FORM, ingressCidr: '0.0.0.0/0', ingressAnywhere: true }, null, false)).toMatchObject({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true });
    expect(formOf(specOf({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true }))).toMatchObject({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true });
    expect(formOf(specOf({ ingressCidr: '203.0.113.7/32', ingressAuto: true })).ingressCidr).toBe('auto');
    expect(specFromForm({ ...DEFAULT_FORM, ingressAnywhere: true }, null, false)).not.toHaveProperty('ingressAnywhere');
  });

  it('refuses to move a workstation that has an instance to another region', () => {
    expect(() => specFromForm({ ...DEFAULT_FORM, region: 'us-west-2' }, specOf(), true)).toThrow(expect.objectContaining({ code: 'WorkstationInUse' }));
    expect(specFromForm({ ...DEFAULT_FORM, instanceType: 'g5.xlarge' }, specOf(), true).instanceType).toBe('g5.xlarge');
  });
});


describe('specFromInput from rig init flags', () => {
  it('builds the same spec from flags as from the form with the same values', () => {
    const form: WorkstationForm = { ...DEFAULT_FORM, region: 'us-west-2', instanceType: 'g5.xlarge', diskGiB: 200, spot: true, sshPort: 2222, ingressCidr: '203.0.113.7/32' };
    const fromFlags = specFromInput({ name: 'gpu', region: 'us-west-2', instanceType: 'g5.xlarge', diskGiB: 200, spot: true, sshPort: 2222, ingressCidr: '203.0.113.7/32' }, null, false);
    expect(fromFlags).toEqual(specFromForm(form, null, false));
  });

  it('keeps what the flags leave out from the saved spec, including a confirmed open range', () => {
    const existing = specOf({ diskGiB: 300, spot: true, ingressCidr: '0.0.0.0/0', ingressAnywhere: true, autoStop: { enabled: false, idleMinutes: 45, gpuBusyPercent: 5 } });
    const spec = specFromInput({ name: existing.name, instanceType: 'g5.xlarge' }, existing, true);
    expect(spec).toMatchObject({ region: existing.region, instanceType: 'g5.xlarge', diskGiB: 300, spot: true, ingressCidr: '0.0.0.0/0', ingressAnywhere: true, autoStop: existing.autoStop });
  });

  it('names the flag in the fix, and asks a new workstation for its region and type', () => {
    expect(() => specFromInput({ name: 'gpu', instanceType: 'g4dn.xlarge' }, null, false)).toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('cli', /^--region: /) }));
    expect(() => specFromInput({ name: 'gpu', region: 'us-east-1' }, null, false)).toThrow(expect.objectContaining({ fix: fixWorded('cli', /^--type: /) }));
    expect(() => specFromInput({ name: 'gpu', region: 'mars-1', instanceType: 'g4dn.xlarge' }, null, false)).toThrow(expect.objectContaining({ fix: fixWorded('cli', /^--region: /) }));
    expect(() => specFromInput({ name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', ingressCidr: '0.0.0.0/0' }, null, false))
      .toThrow(expect.objectContaining({ fix: fixWorded('cli', /^--cidr: .*add --allow-anywhere/) }));
  });

  it('moves a workstation to another region only while it has no instance, from either face', () => {
    const existing = specOf();
    expect(specFromInput({ name: existing.name, region: 'us-west-2' }, existing, false).region).toBe('us-west-2');
    expect(specFromForm({ ...formOf(existing), region: 'us-west-2' }, existing, false).region).toBe('us-west-2');
    expect(() => specFromInput({ name: existing.name, region: 'us-west-2' }, existing, true)).toThrow(expect.objectContaining({ code: 'WorkstationInUse' }));
    expect(() => specFromForm({ ...formOf(existing), region: 'us-west-2' }, existing, true)).toThrow(expect.objectContaining({ code: 'WorkstationInUse' }));
  });
});
