// Address drift: a laptop's public IP changes (another network, a resume, a new DHCP lease) and
// the security group no longer admits it. For a workstation whose ingress follows the public IP
// (`ingressAuto`), CloudRig admits the new /32 and revokes the rule it added for the old address,
// and only that: a rule is CloudRig's when it carries CloudRig's rule description; every other
// rule on the port (one the user added by hand, a VPN range) is left alone.
import type { WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import type { Cloud, IngressRule, PublicIp, SettingsStore } from './ports.js';
import { validateCidr } from './validate.js';

/** The description CloudRig puts on the ingress rules it adds; how it recognises them later. */
export const CLOUDRIG_RULE_DESCRIPTION = 'CloudRig ssh';

/** The ssh port the security group admits (the instance's sshd; an override port is the user's). */
export const SSH_RULE_PORT = 22;

/** What a security group needs so that `cidr` is admitted and CloudRig's other ranges are gone. */
export interface IngressPlan {
  readonly admit: boolean;
  /** CloudRig's rules for other ranges: revoked. */
  readonly revoke: readonly string[];
  /** Rules CloudRig did not add: left alone. */
  readonly kept: readonly string[];
}

/** Whether CloudRig added this rule (its description says so). */
export function isCloudRigRule(rule: IngressRule): boolean {
  return rule.description === CLOUDRIG_RULE_DESCRIPTION;
}

/** Plans the change that admits `cidr`, revoking only CloudRig's rules for other ranges. */
export function planIngress(rules: readonly IngressRule[], cidr: string): IngressPlan {
  return {
    admit: !rules.some((rule) => rule.cidr === cidr),
    revoke: rules.filter((rule) => isCloudRigRule(rule) && rule.cidr !== cidr).map((rule) => rule.cidr),
    kept: rules.filter((rule) => !isCloudRigRule(rule) && rule.cidr !== cidr).map((rule) => rule.cidr),
  };
}

/** What a drift check found and did. */
export interface DriftReport {
  readonly workstation: string;
  /** True when the group was changed. */
  readonly changed: boolean;
  /** The range now admitted (the public IP /32); null when the check could not run. */
  readonly cidr: string | null;
  readonly revoked: readonly string[];
  /** Ranges CloudRig did not add, left as they were. */
  readonly kept: readonly string[];
  /** One line for the user: what changed, or why nothing did. */
  readonly message: string;
}

/** What the drift check needs. */
export interface AddressDriftDeps {
  readonly cloud: Cloud;
  readonly settings: SettingsStore;
  readonly publicIp: PublicIp;
}

/** The caller's public IPv4 as a /32, or a CloudRigError saying how to give it instead. */
export async function publicCidrOf(publicIp: PublicIp): Promise<string> {
  let ip: string;
  try {
    ip = (await publicIp.lookup()).trim();
  } catch (error) {
    throw new CloudRigError('PublicIpLookupFailed',
      `Could not find your public IP address (${error instanceof Error ? error.message : String(error)}).`,
      { action: 'give-own-address' });
  }
  return validateCidr(ip, 'ingressCidr');
}

function rangeWords(cidrs: readonly string[]): string {
  return cidrs.length === 1 ? `${cidrs[0]!}` : cidrs.join(', ');
}

/**
 * Re-admits the laptop's current public IP for a workstation whose ingress follows it, revoking
 * CloudRig's rule for the old address and saving the new range in the spec. A workstation with a
 * fixed range is left alone; a failed IP lookup keeps the old rule and says so.
 */
export async function followAddressDrift(deps: AddressDriftDeps, spec: WorkstationSpec): Promise<DriftReport> {
  const report = (fields: Omit<DriftReport, 'workstation'>): DriftReport => ({ workstation: spec.name, ...fields });
  if (!spec.ingressAuto) {
    return report({ changed: false, cidr: spec.ingressCidr, revoked: [], kept: [], message: `ssh is admitted from ${spec.ingressCidr}, a fixed range; nothing to follow.` });
  }
  let cidr: string;
  try {
    cidr = await publicCidrOf(deps.publicIp);
  } catch {
    return report({ changed: false, cidr: null, revoked: [], kept: [], message: `Could not look up your public IP; ssh stays open to ${spec.ingressCidr} only.` });
  }
  const gateway = deps.cloud.gateway(spec.region);
  const group = await gateway.ingressRules(spec.name, SSH_RULE_PORT);
  const plan = planIngress(group?.rules ?? [], cidr);
  if (group && plan.admit) await gateway.admitIngress(group.groupId, cidr, SSH_RULE_PORT);
  // Admitted first, revoked second: a failure in between leaves the user able to connect.
  if (group && plan.revoke.length) await gateway.revokeIngress(group.groupId, plan.revoke, SSH_RULE_PORT);
  if (cidr !== spec.ingressCidr) deps.settings.saveWorkstation({ ...spec, ingressCidr: cidr });
  const changed = group !== null && (plan.admit || plan.revoke.length > 0);
  if (!group) {
    return report({ changed: false, cidr, revoked: [], kept: [], message: `Workstation ${spec.name} has no security group yet; the next launch creates it admitting ${cidr}.` });
  }
  const kept = plan.kept.length ? ` Left ${plan.kept.length === 1 ? 'the rule' : 'the rules'} for ${rangeWords(plan.kept)} alone (not added by CloudRig).` : '';
  const message = !changed
    ? `ssh is admitted from your address ${cidr}.${kept}`
    : plan.revoke.length
      ? `Your public IP changed: admitted ${cidr} on ssh and revoked CloudRig's rule for ${rangeWords(plan.revoke)}.${kept}`
      : `Admitted your address ${cidr} on ssh.${kept}`;
  return report({ changed, cidr, revoked: plan.revoke, kept: plan.kept, message });
}
