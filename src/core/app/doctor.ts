// `rig doctor`: every check that a later `rig up` or `ssh` would otherwise fail on, each one line
// with its fix. The account checks are the first-run checks' (credentials, default VPC, quota), run
// for both markets; the workstation checks ask what `rig up` itself asks (the image resolved the
// way a launch resolves it, the key pair, the security group) and this machine what ssh needs.
import type { Check, CheckId, CheckReport } from '../../shared/views.js';
import type { WorkstationSpec } from '../../shared/workstation.js';
import { cidrAdmits } from '../../shared/cidr.js';
import {
  checkReport,
  credentialsCheck,
  defaultVpcCheck,
  failedCheck,
  passedCheck,
  quotaCheck,
  quotaTitle,
  skippedCheck,
  type CheckTarget,
} from '../first-run-checks.js';
import { resourceName } from '../workstation-service.js';
import { validateDisk, validateInstanceType, validateRegion } from '../validate.js';
import { publicCidrOf, SSH_RULE_PORT } from '../address-drift.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** What to check: a workstation (named, or the only one), with the region, type or market overridden. */
export interface DoctorRequest {
  readonly name?: string;
  readonly region?: string;
  readonly instanceType?: string;
  readonly spot?: boolean;
  /** Where to look without a workstation and without `region` (the face's AWS_REGION). */
  readonly defaultRegion: string;
}

/** The type checked when there is no workstation and none is named. */
const DEFAULT_TYPE = 'g4dn.xlarge';

const NO_WORKSTATION = 'Skipped: there is no workstation yet.';

/** The workstation to check: the one named, the only one, or none when there is none (or the account is asked about alone). */
function workstationOf(core: CloudRigCore, request: DoctorRequest): WorkstationSpec | null {
  if (request.name !== undefined) return core.service.spec(request.name);
  if (core.service.names().length === 0) return null;
  // A region and a type ask about the account alone; a workstation comes along when there is one to take.
  if (request.region && request.instanceType) {
    try {
      return core.service.spec(undefined);
    } catch {
      return null;
    }
  }
  return core.service.spec(undefined);
}

/** Whether the account has enabled the region (opt-in regions are off until enabled). */
async function regionCheck(core: CloudRigCore, region: string, title: string): Promise<Check> {
  try {
    const enabled = await core.account.enabledRegions();
    if (enabled.includes(region)) return passedCheck('region', title, 'Enabled for your account.');
    return { id: 'region', status: 'fail', title, detail: `${region} is not enabled for your account.`, fix: { action: 'enable-region', region }, quotaRequest: null };
  } catch (error) {
    return failedCheck('region', title, error, 'warn');
  }
}

/** The workstation's image, resolved in `region` by the code a launch uses, and the disk it needs. */
async function imageCheck(core: CloudRigCore, spec: WorkstationSpec, region: string, title: string): Promise<Check> {
  const what = spec.image.kind === 'ami' ? spec.image.imageId : spec.image.path;
  try {
    const image = await core.cloud.gateway(region).resolveImage(spec.image, spec.name, spec.preferSavedImage);
    validateDisk(spec.diskGiB, image.minDiskGiB);
    const from = image.source === 'saved' ? 'its newest saved image' : image.source === 'parameter' ? `from ${what}` : 'the AMI id in its settings';
    return passedCheck('image', title, `${image.imageId} (${from}); its ${image.minDiskGiB} GiB root fits the ${spec.diskGiB} GiB disk.`);
  } catch (error) {
    return failedCheck('image', title, error);
  }
}

/** The first two words of an OpenSSH public key (type and key), without the comment. */
function keyOnly(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(' ');
}

/** The key pair in AWS and its private key here: both present, the file private, the two one key. */
async function keyPairCheck(core: CloudRigCore, spec: WorkstationSpec, title: string): Promise<Check> {
  const keyName = resourceName(spec.name);
  const path = core.keys.pathOf(keyName);
  const fail = (detail: string, fix: Check['fix']): Check => ({ id: 'key-pair', status: 'fail', title, detail, fix, quotaRequest: null });
  try {
    const [remote, problem] = await Promise.all([core.cloud.gateway(spec.region).keyPair(keyName), core.keys.fileProblem(keyName, spec.name)]);
    const missingHere = problem?.code === 'KeyMissing';
    if (!remote) {
      return fail(`AWS has no key pair ${keyName} in ${spec.region}${missingHere ? `, and its private key is not at ${path} either` : ''}.`, { action: 'recreate-key', name: spec.name });
    }
    if (missingHere) return fail(`AWS has the key pair ${keyName} in ${spec.region}, but its private key is not at ${path}.`, { action: 'replace-key', name: spec.name, region: spec.region, instanceType: spec.instanceType });
    if (problem) return fail(problem.message, problem.fix);
    const pem = await core.keys.read(keyName);
    const local = pem === null ? null : await core.keys.publicKeyOf(pem).catch(() => null);
    if (local === null) return fail(`The file at ${path} is not a private key CloudRig can read.`, { action: 'replace-key', name: spec.name, region: spec.region, instanceType: spec.instanceType });
    if (remote.publicKey === null) return passedCheck('key-pair', title, `In AWS (${spec.region}) and at ${path}, readable only by you (AWS did not show its public key to compare).`);
    if (keyOnly(remote.publicKey) !== keyOnly(local)) {
      return fail(`The private key at ${path} is not the one of the key pair ${keyName} in ${spec.region}: ssh would be refused.`, { action: 'replace-key', name: spec.name, region: spec.region, instanceType: spec.instanceType });
    }
    return passedCheck('key-pair', title, `In AWS (${spec.region}) and at ${path}, readable only by you; they match.`);
  } catch (error) {
    return failedCheck('key-pair', title, error);
  }
}

/** The workstation's security group exists and admits this machine's public address on ssh. */
async function securityGroupCheck(core: CloudRigCore, spec: WorkstationSpec, title: string): Promise<Check> {
  const groupName = resourceName(spec.name);
  try {
    const group = await core.cloud.gateway(spec.region).ingressRules(spec.name, SSH_RULE_PORT);
    if (!group) {
      return { id: 'security-group', status: 'fail', title, detail: `There is no security group ${groupName} in the default VPC of ${spec.region}.`, fix: { action: 'rerun-init', name: spec.name }, quotaRequest: null };
    }
    let address: string;
    try {
      address = (await publicCidrOf(core.publicIp)).replace(/\/32$/, '');
    } catch (error) {
      const check = failedCheck('security-group', title, error, 'warn');
      return { ...check, detail: `Unknown: ${check.detail}` };
    }
    const admitted = group.rules.filter((rule) => cidrAdmits(rule.cidr, address)).map((rule) => rule.cidr);
    if (admitted.length) return passedCheck('security-group', title, `${group.groupId} admits ${address} (${admitted.join(', ')}).`);
    const ranges = group.rules.map((rule) => rule.cidr);
    const admits = ranges.length ? `it admits ${ranges.join(', ')}` : `it admits nothing on tcp/${SSH_RULE_PORT}`;
    return {
      id: 'security-group', status: 'fail', title,
      detail: `${group.groupId} does not admit your address ${address} (${admits})${spec.ingressAuto ? '; your public IP has changed since' : ''}.`,
      fix: { action: 'edit-workstation', name: spec.name, field: 'ingressCidr', value: 'auto' },
      quotaRequest: null,
    };
  } catch (error) {
    return failedCheck('security-group', title, error);
  }
}

/** Whether the user's ssh config includes CloudRig's, so `ssh <name>` works. */
async function sshConfigCheck(core: CloudRigCore, name: string | null, title = 'ssh config Include'): Promise<Check> {
  try {
    const status = await core.sshConfig.status();
    if (status.installed) return passedCheck('ssh-config', title, `${status.userConfigPath} includes ${status.ownConfigPath}${name ? `: \`ssh ${name}\` works` : ''}.`);
    return { id: 'ssh-config', status: 'warn', title, detail: `${status.userConfigPath} does not include ${status.ownConfigPath}.`, fix: { action: 'include-ssh-config', name }, quotaRequest: null };
  } catch (error) {
    return failedCheck('ssh-config', title, error, 'warn');
  }
}

/**
 * `rig doctor`: credentials, region, default VPC, the workstation's image, the vCPU quota of both
 * markets, the key pair and its private key, the security group against this machine's address,
 * and the ssh config Include. Without a workstation its checks are skipped, saying so.
 */
export async function runDoctor(core: CloudRigCore, request: DoctorRequest): Promise<CheckReport> {
  const spec = workstationOf(core, request);
  const target: CheckTarget = {
    region: validateRegion(request.region ?? spec?.region ?? request.defaultRegion, 'region'),
    instanceType: validateInstanceType(request.instanceType ?? spec?.instanceType ?? DEFAULT_TYPE, 'instanceType'),
    spot: request.spot ?? spec?.spot ?? false,
  };
  // STS is asked where the user's AWS set-up points, not in the region checked: a region the account
  // has not enabled would refuse the credentials and hide what is wrong.
  const probe = await core.account.probe(request.defaultRegion);
  const name = spec?.name ?? null;
  const sshConfig = sshConfigCheck(core, name);
  const titles: Readonly<Record<Exclude<CheckId, 'credentials' | 'ssh-config'>, string>> = {
    region: `Region ${target.region}`,
    'default-vpc': `Default VPC in ${target.region}`,
    image: spec ? `Image of ${spec.name} in ${target.region}` : `Image in ${target.region}`,
    'quota-on-demand': quotaTitle(target.instanceType, false, !target.spot),
    'quota-spot': quotaTitle(target.instanceType, true, target.spot),
    'key-pair': spec ? `Key pair ${resourceName(spec.name)} and its private key` : 'Key pair and its private key',
    'security-group': `Security group${spec ? ` ${resourceName(spec.name)}` : ''} admits your address on tcp/${SSH_RULE_PORT}`,
  };
  const skipped = (id: keyof typeof titles, because: string): Promise<Check> => Promise.resolve(skippedCheck(id, titles[id], because));
  /** A workstation check: run, skipped (`because`), or skipped for want of a workstation, saying what makes one. */
  const ofWorkstation = (id: 'image' | 'key-pair' | 'security-group', because: string | null, run: (spec: WorkstationSpec, title: string) => Promise<Check>): Promise<Check> => {
    if (!spec) return Promise.resolve({ ...skippedCheck(id, titles[id], NO_WORKSTATION), fix: { action: 'create-workstation', name: null } });
    return because === null ? run(spec, titles[id]) : skipped(id, because);
  };
  const credentials = await credentialsCheck(probe);
  // Nothing in AWS can be asked without credentials; calls into a region the account has not
  // enabled fail as if the credentials were wrong, so they are not made either.
  const region = credentials.status === 'fail' ? await skipped('region', 'Skipped until the credentials work.') : await regionCheck(core, target.region, titles.region);
  const unusable = credentials.status === 'fail' ? 'Skipped until the credentials work.' : region.status === 'fail' ? `Skipped until ${target.region} is enabled.` : null;
  // The workstation's own key pair and group live in its region, which may not be the one checked.
  const own = credentials.status === 'fail' || spec?.region === target.region ? unusable : null;
  const checks = await Promise.all([
    unusable === null ? defaultVpcCheck(probe, target.region) : skipped('default-vpc', unusable),
    ofWorkstation('image', unusable, (s, title) => imageCheck(core, s, target.region, title)),
    unusable === null ? quotaCheck(probe, target, false) : skipped('quota-on-demand', unusable),
    unusable === null ? quotaCheck(probe, target, true) : skipped('quota-spot', unusable),
    ofWorkstation('key-pair', own, (s, title) => keyPairCheck(core, s, title)),
    ofWorkstation('security-group', own, (s, title) => securityGroupCheck(core, s, title)),
    sshConfig,
  ]);
  return checkReport(target, [credentials, region, ...checks], spec?.name ?? null);
}
