import { useEffect, useState } from 'react';
import type { InstanceTypeOption, SettingsView, WorkstationForm } from '../../shared/views.js';
import { appFix } from '../../shared/app-fix-wording.js';
import { formatHourly } from '../../shared/hourly-rate.js';
import { DISK_GIB, IDLE_MINUTES } from '../../shared/limits.js';
import { GpuPicker } from './gpu-picker.js';

/** `, $0.53/h`, or nothing when the price is unknown. */
function rate(usd: number | null): string {
  return usd === null ? '' : `, ${formatHourly(usd)}`;
}

/** One line per GPU type: model, GPU memory, vCPUs, RAM and price. */
export function typeLabel(type: InstanceTypeOption): string {
  // Fractional-GPU types (g6f) report a GPU count of 0.
  const count = type.gpuCount === 0 ? 'part of ' : `${type.gpuCount}× `;
  const gpu = `${count}${type.gpuModel ?? 'GPU'}${type.gpuMemoryGiB === null ? '' : ` (${type.gpuMemoryGiB} GiB)`}`;
  return `${type.instanceType}: ${gpu}, ${type.vcpus} vCPU, ${type.memoryGiB} GiB RAM${rate(type.hourlyUsd)}`;
}

/** The workstation's spec as a form; the type list comes from the region's DescribeInstanceTypes and prices. */
export function WorkstationFields(props: {
  settings: SettingsView;
  form: WorkstationForm;
  onChange: (form: WorkstationForm) => void;
}) {
  const { form, settings } = props;
  const [types, setTypes] = useState<readonly InstanceTypeOption[] | null>(null);
  const [typesError, setTypesError] = useState<string | null>(null);
  const set = <K extends keyof WorkstationForm>(key: K, value: WorkstationForm[K]): void => props.onChange({ ...form, [key]: value });

  useEffect(() => {
    let live = true;
    setTypes(null);
    void window.cloudrig.listInstanceTypes({ region: form.region }).then((result) => {
      if (!live) return;
      if (result.ok) {
        setTypes(result.value);
        setTypesError(null);
      } else {
        setTypesError(`${result.error.message} ${appFix(result.error.fix)}`);
      }
    });
    return () => {
      live = false;
    };
  }, [form.region]);

  const listed = types !== null && types.length > 0;
  return (
    <fieldset className="stack">
      <legend>Workstation</legend>
      <label className="field"><span>Name</span>
        <input value={form.name} disabled={settings.locked} spellCheck={false} onChange={(event) => set('name', event.target.value)} required />
      </label>
      <label className="field"><span>Region</span>
        <select value={form.region} disabled={settings.locked} onChange={(event) => set('region', event.target.value)}>
          {settings.regions.map((region) => <option key={region} value={region}>{region}</option>)}
        </select>
      </label>
      <label className="field"><span>Instance type</span>
        {listed ? (
          <select value={form.instanceType} onChange={(event) => set('instanceType', event.target.value)}>
            {types.some((type) => type.instanceType === form.instanceType) ? null : <option value={form.instanceType}>{form.instanceType}</option>}
            {types.map((type) => <option key={type.instanceType} value={type.instanceType}>{typeLabel(type)}</option>)}
          </select>
        ) : (
          <input value={form.instanceType} spellCheck={false} onChange={(event) => set('instanceType', event.target.value)} required />
        )}
      </label>
      {typesError ? <p className="hint">Could not list GPU types: {typesError}</p> : null}
      {types === null && !typesError ? <p className="hint">Loading GPU types…</p> : null}
      <GpuPicker
        region={form.region}
        instanceType={form.instanceType}
        regionLocked={settings.locked}
        onChoose={({ instanceType, region }) => props.onChange({ ...form, instanceType, region })}
      />

      <div className="field" role="radiogroup" aria-label="Image source">
        <span>Image</span>
        <label className="inline"><input type="radio" name="image-kind" checked={form.imageKind === 'parameter'} onChange={() => set('imageKind', 'parameter')} /> SSM parameter</label>
        <label className="inline"><input type="radio" name="image-kind" checked={form.imageKind === 'ami'} onChange={() => set('imageKind', 'ami')} /> AMI id</label>
      </div>
      <label className="field"><span className="visually-hidden">Image {form.imageKind === 'ami' ? 'AMI id' : 'SSM parameter path'}</span>
        <input value={form.image} spellCheck={false} onChange={(event) => set('image', event.target.value)} required />
      </label>
      <div className="row">
        <label className="field"><span>Disk (GiB)</span>
          <input type="number" min={DISK_GIB.min} max={DISK_GIB.max} value={form.diskGiB} onChange={(event) => set('diskGiB', Number(event.target.value))} required />
        </label>
        <label className="inline"><input type="checkbox" checked={form.spot} onChange={(event) => set('spot', event.target.checked)} /> Spot (cheaper, may be interrupted)</label>
      </div>
      <div className="row">
        <label className="inline">
          <input type="checkbox" checked={form.autoStopEnabled} onChange={(event) => set('autoStopEnabled', event.target.checked)} /> Stop itself when idle
        </label>
        <label className="field"><span>Idle minutes before it stops</span>
          <input
            type="number"
            min={IDLE_MINUTES.min}
            max={IDLE_MINUTES.max}
            step={1}
            value={form.autoStopMinutes}
            disabled={!form.autoStopEnabled}
            onChange={(event) => set('autoStopMinutes', Number(event.target.value))}
            required
          />
        </label>
      </div>
      <p className="hint">Idle: no ssh session, GPUs unused, no snooze. It runs on the instance, so it works with your laptop closed; a change applies from the next launch.</p>
      <label className="field"><span>Setup script (runs once on a fresh instance's first boot)</span>
        <textarea
          rows={4}
          spellCheck={false}
          placeholder={'#!/bin/bash\npip install -r ~/requirements.txt'}
          value={form.setupScript ?? ''}
          onChange={(event) => set('setupScript', event.target.value)}
        />
      </label>
      <details>
        <summary>Advanced: ssh and network</summary>
        <div className="stack">
          <label className="field"><span>SSH user</span>
            <input value={form.sshUser} spellCheck={false} onChange={(event) => set('sshUser', event.target.value)} required />
          </label>
          <label className="field"><span>SSH host override</span>
            <input value={form.sshHost} spellCheck={false} placeholder="the instance's public address" onChange={(event) => set('sshHost', event.target.value)} />
          </label>
          <label className="field"><span>SSH port</span>
            <input type="number" min={1} max={65535} value={form.sshPort} onChange={(event) => set('sshPort', Number(event.target.value))} required />
          </label>
          <label className="field"><span>Allowed addresses (CIDR)</span>
            <input value={form.ingressCidr} spellCheck={false} onChange={(event) => set('ingressCidr', event.target.value)} required />
          </label>
          <label className="inline">
            <input type="checkbox" checked={form.ingressAnywhere === true} onChange={(event) => set('ingressAnywhere', event.target.checked)} /> Allow ssh from anywhere (needed for 0.0.0.0/0: every address may try to log in)
          </label>
          <p className="hint">"auto" admits only your current public IP on port 22.</p>
        </div>
      </details>
    </fieldset>
  );
}
