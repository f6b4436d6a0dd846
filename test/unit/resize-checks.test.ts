import { describe, expect, it } from 'vitest';
import type { InstanceTypeFacts } from '../../src/core/ports.js';
import { checkArchitecture, checkDriver, type ResizeSubject } from '../../src/core/resize-checks.js';
import { DEFAULT_AMI_PARAMETER } from '../../src/shared/workstation.js';

const g4dn: InstanceTypeFacts = { instanceType: 'g4dn.xlarge', architectures: ['x86_64'], vcpus: 4, memoryGiB: 16, gpuModel: 'NVIDIA T4', gpuMaker: 'NVIDIA', gpuCount: 1 };
const g5: InstanceTypeFacts = { ...g4dn, instanceType: 'g5.xlarge', gpuModel: 'NVIDIA A10G' };
const g4ad: InstanceTypeFacts = { ...g4dn, instanceType: 'g4ad.xlarge', gpuModel: 'AMD Radeon Pro V520', gpuMaker: 'AMD' };
const m5: InstanceTypeFacts = { ...g4dn, instanceType: 'm5.xlarge', gpuModel: null, gpuMaker: null, gpuCount: 0 };
const g5g: InstanceTypeFacts = { ...g4dn, instanceType: 'g5g.xlarge', architectures: ['arm64'], gpuModel: 'NVIDIA T4g' };

function subject(over: Partial<ResizeSubject> = {}): ResizeSubject {
  return {
    name: 'gpu',
    from: 'g4dn.xlarge',
    fromFacts: g4dn,
    to: g5,
    image: { imageId: 'ami-1', architecture: 'x86_64', name: 'cloudrig-gpu-i-1', description: 'CloudRig workstation gpu' },
    imageId: 'ami-1',
    imageSource: { kind: 'ami', imageId: 'ami-1' },
    ...over,
  };
}

describe('whether the new type can boot the disk', () => {
  it('takes the architecture from the image', () => {
    expect(checkArchitecture(subject())).toBe('Architecture: its image ami-1 is x86_64; g5.xlarge runs it.');
    expect(() => checkArchitecture(subject({ to: g5g }))).toThrow(/g5g\.xlarge runs arm64 only, and gpu's disk cannot boot on it: its image ami-1 is x86_64/);
  });

  it('when the image is gone, from the one architecture the current type runs, and says so', () => {
    expect(() => checkArchitecture(subject({ image: null, to: g5g }))).toThrow(/its image ami-1 is gone, but g4dn\.xlarge runs x86_64 only/);
    expect(checkArchitecture(subject({ image: null, fromFacts: { ...g4dn, architectures: ['x86_64', 'i386'] } })))
      .toBe('Architecture: not checked (the image ami-1 is gone and g4dn.xlarge runs several).');
  });
});

describe('whether the disk has the driver the new GPU needs', () => {
  it('believes the spec\'s NVIDIA image parameter for a saved image, whose name (cloudrig-gpu-…) says nothing of the driver', () => {
    expect(checkDriver(subject({ imageSource: { kind: 'parameter', path: DEFAULT_AMI_PARAMETER } }), false))
      .toBe(`NVIDIA driver: its images come from ${DEFAULT_AMI_PARAMETER} (checked by name, not on the disk).`);
  });

  it('refuses when neither the image nor its source names an NVIDIA image, unless vouched for', () => {
    expect(() => checkDriver(subject(), false)).toThrow(expect.objectContaining({ code: 'CannotResize', fix: { action: 'confirm-driver', name: 'gpu', instanceType: 'g5.xlarge' } }));
    expect(checkDriver(subject(), true)).toBe('NVIDIA driver: not checked (you said the image has it).');
  });

  it('does not check other makers\' GPUs, and says so; a type without a GPU needs no driver', () => {
    expect(checkDriver(subject({ to: g4ad }), false)).toBe('GPU driver: not checked (AMD Radeon Pro V520 needs its maker\'s driver on the image).');
    expect(checkDriver(subject({ to: m5 }), false)).toBeNull();
  });
});
