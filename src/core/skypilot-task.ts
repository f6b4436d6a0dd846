import type { ProjectFolder } from '../shared/settings.js';
import type { WorkstationSpec } from '../shared/workstation.js';

/**
 * A SkyPilot task (its YAML's fields, as SkyPilot's task and resources schemas name and type them)
 * that launches what a workstation launches: same account, region, type, image, disk, market,
 * setup script and project folder. For when one box is not enough: more nodes, or more GPUs.
 */
export interface SkyPilotTask {
  readonly name: string;
  readonly num_nodes: number;
  readonly resources: {
    /** `aws/<region>`: SkyPilot's infra field (cloud[/region[/zone]]). */
    readonly infra: string;
    /** Absent when GPUs were asked for instead: SkyPilot then picks a type that has them. */
    readonly instance_type?: string;
    /** `<model>:<count>`, only when asked for. */
    readonly accelerators?: string;
    readonly use_spot: boolean;
    /** GiB. */
    readonly disk_size: number;
    /** The AMI the workstation launches from in that region (an AMI id is per region). */
    readonly image_id: string;
    /** The workstation's idle auto-stop, in SkyPilot's terms; absent when it has none. */
    readonly autostop?: { readonly idle_minutes: number };
  };
  /** Remote path → local path: the project folder the app pushes. */
  readonly file_mounts?: Readonly<Record<string, string>>;
  readonly setup?: string;
}

/** What the export needs besides the workstation's spec. */
export interface SkyPilotExport {
  readonly spec: WorkstationSpec;
  /** The AMI id the spec resolves to in its region (a parameter path or saved image, resolved as a launch would). */
  readonly imageId: string;
  readonly folder: ProjectFolder | null;
  readonly nodes: number;
  /** `A10G:4`-style, replacing the instance type; null keeps the workstation's type. */
  readonly gpus: string | null;
}

/** The task file's content for a workstation. */
export function skyPilotTask(input: SkyPilotExport): SkyPilotTask {
  const { spec, folder } = input;
  return {
    name: spec.name,
    num_nodes: input.nodes,
    resources: {
      infra: `aws/${spec.region}`,
      ...(input.gpus === null ? { instance_type: spec.instanceType } : { accelerators: input.gpus }),
      use_spot: spec.spot,
      disk_size: spec.diskGiB,
      image_id: input.imageId,
      ...(spec.autoStop.enabled ? { autostop: { idle_minutes: spec.autoStop.idleMinutes } } : {}),
    },
    ...(folder ? { file_mounts: { [remotePath(folder.remote)]: folder.local } } : {}),
    ...(spec.setupScript ? { setup: spec.setupScript } : {}),
  };
}

/** A project folder's place on the box as SkyPilot takes it: absolute, or under the login home (`~/`). */
function remotePath(remote: string): string {
  return remote.startsWith('/') || remote.startsWith('~/') ? remote : `~/${remote}`;
}
