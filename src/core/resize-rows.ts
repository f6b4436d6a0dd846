import type { GpuHardware } from '../shared/gpu-offers.js';

/** Memory per GPU in GiB; null when unknown (or a fractional GPU, which reports none of its own). */
function memoryPerGpu(type: GpuHardware): number | null {
  if (type.gpuMemoryGiB === null || type.gpuCount === 0) return null;
  return type.gpuMemoryGiB / type.gpuCount;
}

/** How many rows a capacity error offers: the cheapest few, each one click away. */
export const CAPACITY_ROWS = 6;

/**
 * Whether `other` can take the place of `current` when `current` has no capacity: the same GPU
 * model in any other size with at least as many GPUs, or another model with as many GPUs and at
 * least as much memory on each (what fits on the old GPU fits on the new one, and the code's GPU
 * count holds). Without knowing `current` (not a GPU type, or not listed), any other GPU type will do.
 */
export function sameGpuOrBetter(current: GpuHardware | null, other: GpuHardware): boolean {
  if (current === null) return other.gpuModel !== null;
  if (other.instanceType === current.instanceType || other.gpuCount < current.gpuCount) return false;
  if (other.gpuModel !== null && other.gpuModel === current.gpuModel) return true;
  if (other.gpuCount !== current.gpuCount) return false;
  const had = memoryPerGpu(current);
  const has = memoryPerGpu(other);
  return had !== null && has !== null && has >= had;
}
