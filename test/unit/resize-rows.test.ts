import { describe, expect, it } from 'vitest';
import { sameGpuOrBetter } from '../../src/core/resize-rows.js';
import type { GpuHardware } from '../../src/shared/gpu-offers.js';

function type(instanceType: string, gpuModel: string | null, gpuCount: number, gpuMemoryGiB: number | null): GpuHardware {
  return { instanceType, gpuModel, gpuCount, gpuMemoryGiB, vcpus: 4, memoryGiB: 16 };
}

const t4 = type('g4dn.xlarge', 'NVIDIA T4', 1, 16);

describe('the types a capacity error offers in place of a type', () => {
  it('offers the same GPU in other sizes with at least as many GPUs, never the type itself', () => {
    expect(sameGpuOrBetter(t4, type('g4dn.2xlarge', 'NVIDIA T4', 1, 16))).toBe(true);
    expect(sameGpuOrBetter(t4, type('g4dn.12xlarge', 'NVIDIA T4', 4, 64))).toBe(true);
    expect(sameGpuOrBetter(t4, t4)).toBe(false);
    expect(sameGpuOrBetter(type('g4dn.12xlarge', 'NVIDIA T4', 4, 64), type('g4dn.2xlarge', 'NVIDIA T4', 1, 16))).toBe(false);
  });

  it('offers another GPU with as many GPUs and at least as much memory on each, and nothing smaller', () => {
    expect(sameGpuOrBetter(t4, type('g5.xlarge', 'NVIDIA A10G', 1, 24))).toBe(true);
    expect(sameGpuOrBetter(t4, type('p3.2xlarge', 'NVIDIA V100', 1, 16))).toBe(true);
    expect(sameGpuOrBetter(t4, type('g4ad.xlarge', 'AMD Radeon Pro V520', 1, 8))).toBe(false);
    expect(sameGpuOrBetter(t4, type('g5.12xlarge', 'NVIDIA A10G', 4, 96))).toBe(false);
    expect(sameGpuOrBetter(t4, type('g6f.large', 'NVIDIA L4', 0, 3))).toBe(false);
    expect(sameGpuOrBetter(t4, type('g9.xlarge', 'NVIDIA X', 1, null))).toBe(false);
  });

  it('offers any GPU type when the type without capacity is not a known GPU type', () => {
    expect(sameGpuOrBetter(null, type('g5.xlarge', 'NVIDIA A10G', 1, 24))).toBe(true);
    expect(sameGpuOrBetter(null, type('m5.xlarge', null, 0, null))).toBe(false);
  });
});
