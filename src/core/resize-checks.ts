import type { ImageSource } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import type { ImageFacts, InstanceTypeFacts } from './ports.js';

/**
 * Words in an image's name or description, or in an image parameter's path, that AWS's and
 * NVIDIA's GPU images carry (the Deep Learning AMIs, "NVIDIA driver", CUDA). Not "gpu" alone: a
 * saved image is named after its workstation (`cloudrig-gpu-…`), whatever it holds. A name is what
 * the image says of itself: the disk is never inspected, and every message says so.
 */
const NVIDIA_IMAGE_WORDS = /nvidia|cuda|deep ?learning/i;

/** What a resize is checked against: the workstation's image (its disk's origin) and both types. */
export interface ResizeSubject {
  readonly name: string;
  /** The type the workstation has now (its instance's, else its spec's). */
  readonly from: string;
  readonly fromFacts: InstanceTypeFacts | null;
  readonly to: InstanceTypeFacts;
  /** The image the instance was launched from, or the one the next launch resolves; null when it is gone. */
  readonly image: ImageFacts | null;
  /** The imageId asked about, for messages when the image is gone. */
  readonly imageId: string | null;
  /** Where the spec takes its image from. */
  readonly imageSource: ImageSource;
}

/**
 * Whether the new type can boot the disk: the image's architecture (else, when the image is gone,
 * the one architecture the current type runs) must be one the new type runs. Returns the line
 * saying what was checked; throws when it cannot boot.
 */
export function checkArchitecture(subject: ResizeSubject): string {
  const { image, fromFacts, to } = subject;
  let architecture: string | null = null;
  let whence = '';
  if (image?.architecture) {
    architecture = image.architecture;
    whence = `its image ${image.imageId} is ${architecture}`;
  } else if (fromFacts && fromFacts.architectures.length === 1) {
    architecture = fromFacts.architectures[0]!;
    whence = `its image ${subject.imageId ?? ''} is gone, but ${subject.from} runs ${architecture} only`;
  }
  if (architecture === null) return `Architecture: not checked (the image ${subject.imageId ?? ''} is gone and ${subject.from} runs several).`;
  if (!to.architectures.includes(architecture)) {
    throw new CloudRigError('InvalidInput',
      `${to.instanceType} runs ${to.architectures.join(', ') || 'no known architecture'} only, and ${subject.name}'s disk cannot boot on it: ${whence}.`,
      { action: 'steps', steps: [{ action: 'correct-input', field: 'instanceTypeArgument', hint: `pick a type that runs ${architecture}.` },
      { action: 'list-gpu-types', architecture }] });
  }
  return `Architecture: ${whence}; ${to.instanceType} runs it.`;
}

/**
 * Whether the disk carries the NVIDIA driver an NVIDIA GPU type needs, as far as names tell: the
 * image's name or description, else the spec's image parameter (the Deep Learning GPU AMI's by
 * default), names an NVIDIA or GPU image. Other GPU makers and types without a GPU are not checked,
 * and the line says so. Throws when nothing shows the driver and the user did not vouch for it.
 */
export function checkDriver(subject: ResizeSubject, vouched: boolean): string | null {
  const { image, to } = subject;
  if (to.gpuModel === null) return null;
  if (to.gpuMaker?.toUpperCase() !== 'NVIDIA') return `GPU driver: not checked (${to.gpuModel} needs its maker's driver on the image).`;
  if (vouched) return 'NVIDIA driver: not checked (you said the image has it).';
  const named = [image?.name, image?.description].find((text) => text && NVIDIA_IMAGE_WORDS.test(text));
  if (named && image) return `NVIDIA driver: its image ${image.imageId} is "${named}" (checked by name, not on the disk).`;
  const { imageSource } = subject;
  if (imageSource.kind === 'parameter' && NVIDIA_IMAGE_WORDS.test(imageSource.path)) {
    return `NVIDIA driver: its images come from ${imageSource.path} (checked by name, not on the disk).`;
  }
  const seen = image ? `its image ${image.imageId} ("${image.name ?? ''}")` : `its image ${subject.imageId ?? ''} (gone)`;
  throw new CloudRigError('CannotResize',
    `${to.instanceType} has an ${to.gpuModel}, which needs the NVIDIA driver, and nothing says ${subject.name}'s disk has it: neither ${seen} nor its image source names an NVIDIA, CUDA or Deep Learning image.`,
    { action: 'confirm-driver', name: subject.name, instanceType: to.instanceType });
}
