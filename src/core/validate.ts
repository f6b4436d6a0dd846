import { parseIpv4Cidr } from '../shared/cidr.js';
import { CloudRigError } from './errors.js';
import { isSshHost, isSshUser } from '../shared/workstation.js';
import type { InputField } from '../shared/errors.js';
import { WORKSTATION_NAME_PATTERN } from '../shared/limits.js';
import { shellQuote } from './ssh-command.js';

/** Commercial AWS regions CloudRig knows; an unknown one is refused before any AWS call. */
export const KNOWN_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2',
  'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
];

/** Instance families CloudRig accepts; GPU and accelerator families first. */
export const KNOWN_FAMILIES: readonly string[] = [
  'g4dn', 'g4ad', 'g5', 'g5g', 'g6', 'g6e', 'g6f', 'gr6', 'gr6f', 'g7e',
  'p3', 'p3dn', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200', 'p6e-gb200',
  'inf1', 'inf2', 'trn1', 'trn1n', 'trn2', 'dl1', 'dl2q',
  't2', 't3', 't3a', 't4g',
  'm5', 'm5a', 'm5n', 'm6i', 'm6a', 'm6g', 'm7i', 'm7i-flex', 'm7a', 'm7g', 'm8g',
  'c5', 'c5a', 'c5n', 'c6i', 'c6a', 'c6g', 'c7i', 'c7a', 'c7g', 'c8g',
  'r5', 'r5a', 'r6i', 'r6a', 'r6g', 'r7i', 'r7a', 'r7g', 'r8g',
  'x2idn', 'x2iedn', 'z1d', 'i4i', 'i3',
];

const SIZE = /^(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$/;

/** GPU types suggested in error messages. */
export const SUGGESTED_TYPES = ['g4dn.xlarge', 'g5.xlarge', 'g6.xlarge', 'g6e.xlarge'];

/** The input a validator reports on. */
export type FieldName = InputField;

function invalid(field: FieldName, message: string, hint: string): CloudRigError {
  return new CloudRigError('InvalidInput', message, { action: 'correct-input', field, hint });
}

/** Refuses a region CloudRig does not know. */
export function validateRegion(region: string, field: FieldName = 'region'): string {
  if (!KNOWN_REGIONS.includes(region)) {
    throw invalid(field, `Unknown region "${region}".`, `use a region code such as us-east-1, us-west-2 or eu-west-1.`);
  }
  return region;
}

/** Refuses a malformed or unknown instance type. */
export function validateInstanceType(type: string, field: FieldName = 'instanceType'): string {
  const dot = type.indexOf('.');
  const family = dot > 0 ? type.slice(0, dot) : '';
  const size = dot > 0 ? type.slice(dot + 1) : '';
  if (!KNOWN_FAMILIES.includes(family) || !SIZE.test(size)) {
    throw invalid(
      field,
      `Unknown instance type "${type}".`,
      `use an EC2 instance type such as ${SUGGESTED_TYPES.join(', ')}.`,
    );
  }
  return type;
}

/** Refuses a malformed AMI id. */
export function validateAmiId(imageId: string, field: FieldName = 'image'): string {
  if (!/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(imageId)) {
    throw invalid(field, `"${imageId}" is not an AMI id.`, 'an AMI id looks like ami-0abc1234def567890.');
  }
  return imageId;
}

/** Refuses an SSM parameter path that is not absolute. */
export function validateParameterPath(path: string, field: FieldName = 'imageParameter'): string {
  if (!/^\/[\w.\-/]+$/.test(path)) {
    throw invalid(field, `"${path}" is not an SSM parameter path.`, 'pass a path such as /aws/service/deeplearning/ami/….');
  }
  return path;
}

/** How `validateCidr` treats a range that admits every address. */
export interface CidrOptions {
  /** The user confirmed that ssh may be reached from anywhere (`--allow-anywhere`, the form's checkbox). */
  readonly allowAnywhere?: boolean;
}

/**
 * Parses an IPv4 CIDR; a bare address becomes /32. Refuses anything else, a range with host bits
 * set (AWS would silently widen `10.1.2.3/0` to the whole internet), and one that admits every
 * address unless the user confirmed it.
 */
export function validateCidr(value: string, field: FieldName = 'ingressCidr', options: CidrOptions = {}): string {
  if (value.includes(':')) {
    throw invalid(field, `"${value}" is an IPv6 range; CloudRig admits IPv4 ranges only.`, 'pass an IPv4 range such as 203.0.113.7/32, or auto for your public IP.');
  }
  const cidr = parseIpv4Cidr(value);
  if (!cidr) {
    throw invalid(field, `"${value}" is not an IPv4 CIDR.`, 'pass an address range such as 203.0.113.7/32, or auto for your public IP.');
  }
  if (cidr.hostBitsSet) {
    const single = `${cidr.address}/32`;
    throw cidr.anywhere
      ? invalid(field, `"${value}" has host bits set: AWS would apply it as ${cidr.canonical}, every address on the internet.`,
        `pass ${single} for that address only (or ${cidr.canonical} with confirmation if you really mean everyone).`)
      : invalid(field, `"${value}" has host bits set: AWS would apply it as ${cidr.canonical}.`,
        `pass ${cidr.canonical} for the whole network, or ${single} for that address only.`);
  }
  if (cidr.anywhere && !options.allowAnywhere) {
    throw new CloudRigError('InvalidInput', `${cidr.canonical} admits ssh from every address on the internet.`, { action: 'confirm-anywhere' });
  }
  return cidr.canonical;
}

/** Refuses a disk smaller than the image needs (checked once the image is known). */
export function validateDisk(diskGiB: number, imageMinGiB: number): number {
  if (diskGiB < imageMinGiB) {
    throw new CloudRigError('InvalidInput', `A ${diskGiB} GiB disk is smaller than the image's ${imageMinGiB} GiB snapshot.`,
      { action: 'raise-disk', minGiB: imageMinGiB });
  }
  return diskGiB;
}

/** Refuses a number that is not a whole number in range. */
export function validateInteger(value: string | number, field: FieldName, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(field, `"${value}" is not a whole number from ${min} to ${max}.`, `pass a number from ${min} to ${max}.`);
  }
  return n;
}

/** Refuses a workstation name AWS tags and file names cannot carry. */
export function validateName(name: string, field: FieldName = 'name'): string {
  if (!WORKSTATION_NAME_PATTERN.test(name)) {
    throw invalid(field, `"${name}" is not a usable workstation name.`, 'use lower-case letters, digits and dashes (up to 31), e.g. gpu.');
  }
  return name;
}

/** Refuses an ssh login name that is not a plain POSIX user name (it could become an ssh option). */
export function validateSshUser(user: string, field: FieldName = 'sshUser'): string {
  if (!isSshUser(user)) {
    throw invalid(field, `"${user}" is not a login name.`,
      'use the image\'s user name: letters, digits, dot, underscore or dash, not starting with a dash (e.g. ubuntu or ec2-user).');
  }
  return user;
}

/** Refuses an ssh host that is not a host name, an IPv4 address or an IPv6 literal. */
export function validateSshHost(host: string, field: FieldName = 'sshHost'): string {
  const bare = /^\[[^\]]*\]$/.test(host) ? host.slice(1, -1) : host;
  if (!isSshHost(bare)) {
    throw invalid(field, `"${host}" is not a host name or IP address.`,
      'pass a host name (gpu.example.com), an IPv4 address (203.0.113.7) or an IPv6 address (2001:db8::7), without spaces, a user@ part or a leading dash.');
  }
  return bare;
}

/** The line that separates the parts of a launch's multipart user data; a setup script may not hold it. */
export const USER_DATA_BOUNDARY = '==CLOUDRIG-USER-DATA==';

/** A path as one shell word that no command reads as an option. */
function pathWord(path: string): string {
  return shellQuote(path.startsWith('-') ? `./${path}` : path);
}

/**
 * Refuses a setup script that would fail on the box or break the launch, where it enters (`rig
 * init --setup`, the setup form) rather than at `rig up`: carriage returns (a file saved with
 * Windows line endings; bash would read `\r` into every command and fail with "command not found")
 * and the user-data boundary text. `file` is the path it was read from, named in the fix.
 */
export function validateSetupScript(text: string, field: FieldName = 'setupScript', file?: string): string {
  const what = file === undefined ? 'The setup script' : `The setup script ${file}`;
  const lines = text.split('\n');
  const withReturn = lines.findIndex((line) => line.includes('\r'));
  if (withReturn >= 0) {
    const endings = text.includes('\r\n') ? 'Windows (CRLF) line endings' : 'a carriage return';
    throw new CloudRigError('InvalidSetupScript', `${what} has ${endings} (line ${withReturn + 1}): bash on the box would fail on them.`, {
      action: 'correct-input', field, again: true,
      hint: file === undefined ? 'convert it to Unix (LF) line endings' : `convert it with \`dos2unix ${pathWord(file)}\``,
    });
  }
  const withBoundary = lines.findIndex((line) => line.includes(USER_DATA_BOUNDARY));
  if (withBoundary >= 0) {
    throw new CloudRigError('InvalidSetupScript',
      `${what} holds ${USER_DATA_BOUNDARY} (line ${withBoundary + 1}), the text CloudRig separates the parts of the launch's user data with.`, {
        action: 'correct-input', field, again: true,
        hint: `remove the line ${withBoundary + 1} (or that text from it)${file === undefined ? '' : ` from ${pathWord(file)}`}`,
      });
  }
  return text;
}

/** `A10G:4`, `H100:8`, `L4`: a GPU model and an optional count, as SkyPilot's accelerators field takes it. */
export function validateGpuSpec(value: string): string {
  const spec = value.trim();
  if (!/^[A-Za-z][A-Za-z0-9-]{0,31}(?::[1-9]\d{0,2})?$/.test(spec)) {
    throw invalid('gpuSpec', `"${value}" is not a GPU model with an optional count.`, 'pass MODEL or MODEL:COUNT, e.g. A10G:4 or H100:8.');
  }
  return spec;
}
