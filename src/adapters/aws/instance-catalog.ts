import { paginateDescribeInstanceTypeOfferings, paginateDescribeInstanceTypes, type InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { AwsAccess } from './client-config.js';
import { awsClients } from './client-registry.js';
import { mapAwsError } from './error-map.js';
import type { InstanceTypeOption } from '../../shared/views.js';
import type { InstanceTypeFacts } from '../../core/ports.js';
import { byText } from '../../shared/text-order.js';

/** A GPU instance type's hardware, from DescribeInstanceTypes (the picker's option without its price). */
export type GpuInstanceType = Omit<InstanceTypeOption, 'hourlyUsd'>;

function gpuTypeOf(info: InstanceTypeInfo): GpuInstanceType | null {
  const gpus = info.GpuInfo?.Gpus ?? [];
  if (!info.InstanceType || gpus.length === 0) return null;
  const first = gpus[0];
  const model = first ? [first.Manufacturer, first.Name].filter(Boolean).join(' ') || null : null;
  const totalMiB = info.GpuInfo?.TotalGpuMemoryInMiB;
  return {
    instanceType: info.InstanceType,
    gpuModel: model,
    gpuCount: gpus.reduce((sum, gpu) => sum + (gpu.Count ?? 0), 0),
    gpuMemoryGiB: totalMiB === undefined ? null : Math.round(totalMiB / 1024),
    vcpus: info.VCpuInfo?.DefaultVCpus ?? 0,
    memoryGiB: Math.round((info.MemoryInfo?.SizeInMiB ?? 0) / 1024),
  };
}

/** Any instance type's facts, GPU or not, from its DescribeInstanceTypes entry. */
export function instanceTypeFactsOf(info: InstanceTypeInfo): InstanceTypeFacts {
  const first = info.GpuInfo?.Gpus?.[0];
  return {
    instanceType: info.InstanceType ?? '',
    architectures: info.ProcessorInfo?.SupportedArchitectures ?? [],
    vcpus: info.VCpuInfo?.DefaultVCpus ?? 0,
    memoryGiB: Math.round((info.MemoryInfo?.SizeInMiB ?? 0) / 1024),
    gpuModel: first ? [first.Manufacturer, first.Name].filter(Boolean).join(' ') || null : null,
    gpuMaker: first?.Manufacturer ?? null,
    gpuCount: (info.GpuInfo?.Gpus ?? []).reduce((sum, gpu) => sum + (gpu.Count ?? 0), 0),
  };
}

/** Sorts like a catalogue: by family, then by size. */
function byFamilyThenSize(a: GpuInstanceType, b: GpuInstanceType): number {
  const family = (type: string): string => type.split('.')[0] ?? type;
  return byText(family(a.instanceType), family(b.instanceType)) || a.vcpus - b.vcpus || byText(a.instanceType, b.instanceType);
}

/** The x86_64 GPU instance types of a region (G and P families), for the type picker. */
export async function listGpuInstanceTypes(access: AwsAccess, region: string): Promise<GpuInstanceType[]> {
  const found: GpuInstanceType[] = [];
  try {
    const pages = paginateDescribeInstanceTypes({ client: awsClients(access).ec2(region) }, {
      Filters: [
        { Name: 'instance-type', Values: ['g*', 'p*'] },
        // The default images are x86_64; Graviton GPU types (g5g) need other images.
        { Name: 'processor-info.supported-architecture', Values: ['x86_64'] },
      ],
    });
    for await (const page of pages) {
      for (const info of page.InstanceTypes ?? []) {
        const gpu = gpuTypeOf(info);
        if (gpu) found.push(gpu);
      }
    }
  } catch (error) {
    throw await mapAwsError(error, { region, profile: access.profile ?? null, env: access.env });
  }
  return found.sort(byFamilyThenSize);
}

/** The instance types one availability zone offers (DescribeInstanceTypeOfferings by zone). */
export async function instanceTypesOfferedIn(access: AwsAccess, region: string, availabilityZone: string): Promise<ReadonlySet<string>> {
  const offered = new Set<string>();
  try {
    const pages = paginateDescribeInstanceTypeOfferings({ client: awsClients(access).ec2(region) }, {
      LocationType: 'availability-zone',
      Filters: [{ Name: 'location', Values: [availabilityZone] }],
    });
    for await (const page of pages) {
      for (const offering of page.InstanceTypeOfferings ?? []) if (offering.InstanceType) offered.add(offering.InstanceType);
    }
  } catch (error) {
    throw await mapAwsError(error, { region, profile: access.profile ?? null });
  }
  return offered;
}
