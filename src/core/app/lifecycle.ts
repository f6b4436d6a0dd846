import type { SavedImage, ScannedInstance, Snapshot, Step } from '../../shared/workstation.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** Progress and cancelling, as both faces pass them. */
export interface RunOptions {
  readonly onStep?: (step: Step) => void;
  readonly signal?: AbortSignal;
}

/** Start: starts the stopped instance or launches one, and waits until ssh answers (unless told not to). */
export function startWorkstation(core: CloudRigCore, name: string | undefined, options: RunOptions & { readonly waitSsh?: boolean; readonly timeoutMs?: number } = {}): Promise<Snapshot> {
  return core.service.up(name, options);
}

/** Stop: the disk is kept, compute billing ends; resolves once stopped. */
export function stopWorkstation(core: CloudRigCore, name: string | undefined, options: RunOptions = {}): Promise<Snapshot> {
  return core.service.stop(name, options);
}

/** Terminate, saving an image first when asked (and waiting until it is available). */
export function terminateWorkstation(core: CloudRigCore, name: string | undefined, options: RunOptions & { readonly saveImage: boolean }): Promise<{ snapshot: Snapshot; imageId: string | null }> {
  return core.service.down(name, options);
}

/** Scan: pending, running and stopped instances in every enabled region. */
export function scanAccount(core: CloudRigCore): Promise<ScannedInstance[]> {
  return core.service.scan();
}

/** The images saved from a workstation. */
export function listImages(core: CloudRigCore, name?: string): Promise<SavedImage[]> {
  return core.service.images(name);
}

/** Deregisters an image saved from a workstation, with its snapshots. */
export function removeImage(core: CloudRigCore, name: string | undefined, imageId: string): Promise<void> {
  return core.service.removeImage(name, imageId);
}
