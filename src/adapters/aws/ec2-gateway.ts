import {
  AuthorizeSecurityGroupIngressCommand,
  CancelSpotInstanceRequestsCommand,
  CreateImageCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ImportKeyPairCommand,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeInstances,
  paginateDescribeSubnets,
  type Image,
  type Instance,
  type IpPermission,
  type TagSpecification,
  type ResourceType,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudRigError } from '../../core/errors.js';
import type { Fix } from '../../shared/errors.js';
import { thenFix } from '../../shared/fix-steps.js';
import { TAG_MANAGED, TAG_SOURCE_INSTANCE, TAG_WORKSTATION, type CloudGateway, type ImageFacts, type IngressRule, type InstanceTypeFacts, type LaunchRequest, type ResolvedImage } from '../../core/ports.js';
import { CLOUDRIG_RULE_DESCRIPTION, planIngress } from '../../core/address-drift.js';
import { byKeepOrder } from '../../core/duplicates.js';
import { similarGpuType } from '../../core/gpu-catalog.js';
import { resourceName } from '../../core/workstation-service.js';
import type { ImageSource, InstanceFacts, InstanceStateName, SavedImage } from '../../shared/workstation.js';
import type { AwsAccess } from './client-config.js';
import { awsClients } from './client-registry.js';
import { mapAwsError, type ErrorContext } from './error-map.js';
import { userDataParameter } from '../user-data.js';
import { instanceTypeFactsOf, instanceTypesOfferedIn, listGpuInstanceTypes } from './instance-catalog.js';
import { byText } from '../../shared/text-order.js';

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];
/** How often, and how long apart, a security group still held by an ended instance's interface is deleted again (about 2 minutes). */
const GROUP_IN_USE_ATTEMPTS = 24;
const GROUP_IN_USE_RETRY_MS = 5_000;

/** CloudRig's tags for a workstation's resource of the given type. */
export function tagsFor(resourceType: ResourceType, workstation: string): TagSpecification {
  return {
    ResourceType: resourceType,
    Tags: [
      { Key: TAG_WORKSTATION, Value: workstation },
      { Key: TAG_MANAGED, Value: 'true' },
      { Key: 'Name', Value: resourceName(workstation) },
    ],
  };
}

/** The CloudRig workstation an instance (or image) belongs to, from its tags. */
export function workstationOf(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): string | null {
  const managed = tags?.some((t) => t.Key === TAG_MANAGED && t.Value === 'true');
  const name = tags?.find((t) => t.Key === TAG_WORKSTATION)?.Value;
  return managed && name ? name : null;
}

/** EC2's instance as CloudRig's plain facts. */
export function factsOf(instance: Instance): InstanceFacts {
  return {
    instanceId: instance.InstanceId ?? '',
    state: (instance.State?.Name ?? 'pending') as InstanceStateName,
    instanceType: instance.InstanceType ?? '',
    publicIp: instance.PublicIpAddress || null,
    publicDns: instance.PublicDnsName || null,
    launchedAt: instance.LaunchTime ? instance.LaunchTime.toISOString() : null,
    availabilityZone: instance.Placement?.AvailabilityZone ?? null,
    spot: instance.InstanceLifecycle === 'spot',
    imageId: instance.ImageId ?? null,
    // Both: the code says who stopped it (Client.InstanceInitiatedShutdown), the text says when.
    stateReason: [instance.StateReason?.Code, instance.StateTransitionReason].filter(Boolean).join(' | ') || null,
    ...(instance.ClientToken ? { clientToken: instance.ClientToken } : {}),
  };
}

/** A saved image as CloudRig lists it: its snapshots and their total size. */
export function imageOf(image: Image): SavedImage {
  const snapshots = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
  const sizeGiB = (image.BlockDeviceMappings ?? []).reduce((sum, m) => sum + (m.Ebs?.VolumeSize ?? 0), 0);
  return {
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    state: image.State ?? 'pending',
    createdAt: image.CreationDate ?? null,
    snapshotIds: snapshots,
    sizeGiB,
  };
}

/** EC2 + SSM in one region through the AWS SDK v3. Every error leaves as a CloudRigError. */
export class AwsEc2Gateway implements CloudGateway {
  // SSM and STS are needed rarely (an image parameter, a permission error): loaded on first use.

  constructor(
    readonly region: string,
    private readonly access: AwsAccess,
  ) {}

  /**
   * The region's client, asked of the registry at each call rather than kept: the registry closes
   * idle clients after a sweep (forgetIdle), and a gateway that kept its own would live on beside
   * the one the registry makes next.
   */
  private get ec2(): EC2Client {
    return awsClients(this.access).ec2(this.region);
  }

  /** Runs `call`, mapping any failure to a CloudRigError with a fix. */
  private async guard<T>(call: () => Promise<T>, context: Partial<ErrorContext> = {}): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw await mapAwsError(error, {
        region: this.region,
        profile: this.access.profile ?? null, env: this.access.env,
        decode: (encoded) => this.decode(encoded),
        ...context,
      });
    }
  }

  private async decode(encoded: string): Promise<string | null> {
    const { DecodeAuthorizationMessageCommand } = await import('@aws-sdk/client-sts');
    const sts = await awsClients(this.access).sts(this.region);
    const out = await sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    return out.DecodedMessage ?? null;
  }

  private async parameter(path: string): Promise<string> {
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const ssm = await awsClients(this.access).ssm(this.region);
    const out = await this.guard(() => ssm.send(new GetParameterCommand({ Name: path })));
    return out.Parameter?.Value ?? '';
  }

  private async describe(filters: { Name: string; Values: string[] }[], instanceIds?: string[]): Promise<Instance[]> {
    return this.guard(async () => {
      const instances: Instance[] = [];
      for await (const page of paginateDescribeInstances({ client: this.ec2 }, { Filters: filters, InstanceIds: instanceIds })) {
        for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      }
      return instances;
    });
  }

  async findWorkstationInstances(workstation: string): Promise<InstanceFacts[]> {
    const instances = await this.describe([
      { Name: `tag:${TAG_WORKSTATION}`, Values: [workstation] },
      { Name: `tag:${TAG_MANAGED}`, Values: ['true'] },
      { Name: 'instance-state-name', Values: LIVE_STATES },
    ]);
    return instances.map(factsOf).sort(byKeepOrder);
  }

  async findFleetInstances(workstations: readonly string[]): Promise<ReadonlyMap<string, InstanceFacts[]>> {
    const found = new Map<string, InstanceFacts[]>(workstations.map((name) => [name, []]));
    if (workstations.length === 0) return found;
    const instances = await this.describe([
      { Name: `tag:${TAG_WORKSTATION}`, Values: [...workstations] },
      { Name: `tag:${TAG_MANAGED}`, Values: ['true'] },
      { Name: 'instance-state-name', Values: LIVE_STATES },
    ]);
    for (const instance of instances) found.get(workstationOf(instance.Tags) ?? '')?.push(factsOf(instance));
    for (const list of found.values()) list.sort(byKeepOrder);
    return found;
  }

  async describeInstance(instanceId: string): Promise<InstanceFacts | null> {
    const [instance] = await this.describe([], [instanceId]);
    return instance ? factsOf(instance) : null;
  }

  async keyPairExists(keyName: string): Promise<boolean> {
    const out = await this.guard(() =>
      this.ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [keyName] }] })));
    return (out.KeyPairs ?? []).length > 0;
  }

  async keyPair(keyName: string): Promise<{ publicKey: string | null } | null> {
    const out = await this.guard(() =>
      this.ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [keyName] }], IncludePublicKey: true })));
    const pair = out.KeyPairs?.[0];
    return pair ? { publicKey: pair.PublicKey?.trim() || null } : null;
  }

  async createKeyPair(keyName: string, workstation: string): Promise<{ privateKeyPem: string }> {
    const out = await this.guard(() => this.ec2.send(new CreateKeyPairCommand({
      KeyName: keyName,
      KeyType: 'ed25519',
      KeyFormat: 'pem',
      TagSpecifications: [tagsFor('key-pair', workstation)],
    })));
    if (!out.KeyMaterial) throw new CloudRigError('KeyPairFailed', `AWS created ${keyName} but returned no private key.`, { action: 'delete-key-pair', keyName, region: this.region });
    return { privateKeyPem: out.KeyMaterial };
  }

  async importKeyPair(keyName: string, publicKey: string, workstation: string): Promise<void> {
    await this.guard(() => this.ec2.send(new ImportKeyPairCommand({
      KeyName: keyName,
      PublicKeyMaterial: new TextEncoder().encode(publicKey),
      TagSpecifications: [tagsFor('key-pair', workstation)],
    }))).catch((error: CloudRigError) => {
      // An import of this same local key, sent by a run that was killed, may land first.
      if (error.awsCode !== 'InvalidKeyPair.Duplicate') throw error;
    });
  }

  async deleteKeyPair(keyName: string): Promise<void> {
    await this.guard(() => this.ec2.send(new DeleteKeyPairCommand({ KeyName: keyName }))).catch((error: CloudRigError) => {
      // Deleted already (a rerun after an interruption, or by hand): the goal holds.
      if (error.awsCode !== 'InvalidKeyPair.NotFound' && error.code !== 'InvalidKeyPair.NotFound') throw error;
    });
  }

  async deleteSecurityGroup(workstation: string): Promise<boolean> {
    const group = await this.ingressRules(workstation, 22);
    if (!group) return false;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.guard(() => this.ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.groupId })));
        return true;
      } catch (error) {
        const code = (error as CloudRigError).awsCode;
        if (code === 'InvalidGroup.NotFound') return false;
        // The network interface of an instance that just terminated holds the group for a little while.
        if (code !== 'DependencyViolation' || attempt >= GROUP_IN_USE_ATTEMPTS) throw error;
        await sleep(GROUP_IN_USE_RETRY_MS);
      }
    }
  }

  private async defaultVpcId(): Promise<string> {
    const out = await this.guard(() => this.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })));
    const vpcId = out.Vpcs?.[0]?.VpcId;
    if (!vpcId) {
      throw new CloudRigError('NoDefaultVpc', `Your account has no default VPC in ${this.region}.`,
        { action: 'create-default-vpc', region: this.region });
    }
    return vpcId;
  }

  async ensureSecurityGroup(workstation: string, cidr: string, port: number): Promise<{ groupId: string; created: boolean }> {
    const groupName = resourceName(workstation);
    const vpcId = await this.defaultVpcId();
    const found = await this.guard(() => this.ec2.send(new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'group-name', Values: [groupName] }, { Name: 'vpc-id', Values: [vpcId] }],
    })));
    let group = found.SecurityGroups?.[0];
    let created = false;
    if (!group) {
      const out = await this.guard(() => this.ec2.send(new CreateSecurityGroupCommand({
        GroupName: groupName,
        Description: `CloudRig workstation ${workstation}: ssh from one address`,
        VpcId: vpcId,
        TagSpecifications: [tagsFor('security-group', workstation)],
      })));
      group = { GroupId: out.GroupId, IpPermissions: [] };
      created = true;
    }
    const groupId = group.GroupId ?? '';
    const plan = planIngress(rulesOn(group.IpPermissions ?? [], port), cidr);
    if (plan.admit) await this.admitIngress(groupId, cidr, port);
    if (plan.revoke.length) await this.revokeIngress(groupId, plan.revoke, port);
    return { groupId, created };
  }

  async ingressRules(workstation: string, port: number): Promise<{ groupId: string; rules: IngressRule[] } | null> {
    const vpcId = await this.defaultVpcId();
    const found = await this.guard(() => this.ec2.send(new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'group-name', Values: [resourceName(workstation)] }, { Name: 'vpc-id', Values: [vpcId] }],
    })));
    const group = found.SecurityGroups?.[0];
    if (!group?.GroupId) return null;
    return { groupId: group.GroupId, rules: rulesOn(group.IpPermissions ?? [], port) };
  }

  async admitIngress(groupId: string, cidr: string, port: number): Promise<void> {
    await this.guard(() => this.ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr, Description: CLOUDRIG_RULE_DESCRIPTION }] }],
    }))).catch((error: CloudRigError) => {
      // Admitted already (a rerun, or another process got there first): the goal holds.
      if (error.awsCode !== 'InvalidPermission.Duplicate') throw error;
    });
  }

  async revokeIngress(groupId: string, cidrs: readonly string[], port: number): Promise<void> {
    if (!cidrs.length) return;
    await this.guard(() => this.ec2.send(new RevokeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: cidrs.map((cidr) => ({ CidrIp: cidr })) }],
    })));
  }

  private async imageById(imageId: string): Promise<Image> {
    const out = await this.guard(() => this.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })), { imageId });
    const image = out.Images?.[0];
    if (!image) throw await mapAwsError({ name: 'InvalidAMIID.NotFound', message: imageId }, { region: this.region, imageId });
    return image;
  }

  async resolveImage(source: ImageSource, workstation: string, preferSaved: boolean): Promise<ResolvedImage> {
    let image: Image | undefined;
    let origin: ResolvedImage['source'] = source.kind === 'ami' ? 'ami' : 'parameter';
    if (preferSaved) {
      const saved = (await this.listImages(workstation)).find((i) => i.state === 'available');
      if (saved) {
        image = await this.imageById(saved.imageId);
        origin = 'saved';
      }
    }
    if (!image && source.kind === 'ami') image = await this.imageById(source.imageId);
    if (!image && source.kind === 'parameter') {
      const imageId = await this.parameter(source.path).catch((error: CloudRigError) => {
        if (error.code !== 'ParameterNotFound') throw error;
        throw new CloudRigError('ParameterNotFound', `The image parameter ${source.path} does not exist in ${this.region}.`,
          { action: 'choose-image', parameter: source.path });
      });
      image = await this.imageById(imageId);
    }
    if (!image) throw new CloudRigError('NoImage', 'No image to launch from.', { action: 'choose-image', parameter: null });
    const rootDeviceName = image.RootDeviceName ?? '/dev/sda1';
    const root = image.BlockDeviceMappings?.find((m) => m.DeviceName === rootDeviceName) ?? image.BlockDeviceMappings?.[0];
    return { imageId: image.ImageId ?? '', rootDeviceName, minDiskGiB: root?.Ebs?.VolumeSize ?? 8, source: origin };
  }

  async runInstance(request: LaunchRequest, onZoneTried?: (zone: string, outcome: string) => void): Promise<InstanceFacts> {
    try {
      return await this.runIn(request, null);
    } catch (error) {
      if (!(error instanceof CloudRigError) || error.code !== 'InsufficientInstanceCapacity') throw error;
      onZoneTried?.('(any zone AWS chose)', 'no capacity');
    }
    // Each other zone of the default VPC, with a token derived per subnet: a rerun after a crash
    // sends the same token to the same subnet, so it can never launch twice there either.
    const tried: string[] = [];
    for (const subnet of await this.defaultSubnets()) {
      try {
        return await this.runIn({ ...request, clientToken: `${request.clientToken.slice(0, 36)}-${subnet.subnetId}`.slice(0, 64) }, subnet.subnetId);
      } catch (error) {
        if (!(error instanceof CloudRigError) || error.code !== 'InsufficientInstanceCapacity') throw error;
        tried.push(subnet.zone);
        onZoneTried?.(subnet.zone, 'no capacity');
      }
    }
    // Offered, never taken silently: the same GPU in the next size, from the region's catalog.
    const catalog = await listGpuInstanceTypes(this.access, this.region).catch(() => []);
    const similar = similarGpuType(request.instanceType, catalog);
    const similarGpu = catalog.find((t) => t.instanceType === similar)?.gpuModel ?? null;
    throw new CloudRigError('InsufficientInstanceCapacity',
      `AWS has no ${request.instanceType}${request.spot ? ' spot' : ''} capacity in ${this.region} right now (tried ${tried.length ? tried.join(', ') : 'every zone'}). Nothing was launched.`,
      { action: 'other-capacity', instanceType: request.instanceType, similar, similarGpu, otherMarket: request.spot ? 'on-demand' : 'spot', name: request.workstation });
  }

  /** The default VPC's default subnet in each availability zone. */
  private async defaultSubnets(): Promise<{ subnetId: string; zone: string }[]> {
    const vpcId = await this.defaultVpcId();
    return this.guard(async () => {
      const subnets: { subnetId: string; zone: string }[] = [];
      const filters = [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'default-for-az', Values: ['true'] }];
      for await (const page of paginateDescribeSubnets({ client: this.ec2 }, { Filters: filters })) {
        for (const subnet of page.Subnets ?? []) {
          if (subnet.SubnetId) subnets.push({ subnetId: subnet.SubnetId, zone: subnet.AvailabilityZone ?? subnet.SubnetId });
        }
      }
      return subnets.sort((a, b) => byText(a.zone, b.zone));
    });
  }

  private async runIn(request: LaunchRequest, subnetId: string | null): Promise<InstanceFacts> {
    const out = await this.guard(() => this.ec2.send(new RunInstancesCommand({
      ClientToken: request.clientToken,
      ImageId: request.imageId,
      InstanceType: request.instanceType as never,
      KeyName: request.keyName,
      SecurityGroupIds: [request.securityGroupId],
      SubnetId: subnetId ?? undefined,
      MinCount: 1,
      MaxCount: 1,
      BlockDeviceMappings: [{
        DeviceName: request.rootDeviceName,
        // Encrypted with the account's default EBS key (no KmsKeyId): the disk holds the user's work.
        Ebs: { VolumeSize: request.diskGiB, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: true },
      }],
      // A shutdown from inside (the idle watchdog) stops rather than terminates.
      InstanceInitiatedShutdownBehavior: 'stop',
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      // gzip-compressed (cloud-init decompresses it): EC2's 16 KB limit applies to the compressed bytes.
      UserData: request.userData ? userDataParameter(request.userData) : undefined,
      InstanceMarketOptions: request.spot
        ? { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'persistent', InstanceInterruptionBehavior: 'stop' } }
        : undefined,
      TagSpecifications: [
        tagsFor('instance', request.workstation),
        tagsFor('volume', request.workstation),
        ...(request.spot ? [tagsFor('spot-instances-request', request.workstation)] : []),
      ],
    })), { instanceType: request.instanceType, imageId: request.imageId });
    const instance = out.Instances?.[0];
    if (!instance) throw new CloudRigError('LaunchFailed', 'AWS accepted the launch but returned no instance; one may be running, billed by the hour.', { action: 'check-launch', name: null });
    return factsOf(instance);
  }

  /** Refuses to act on an instance CloudRig did not create. */
  private async assertManaged(instanceId: string): Promise<Instance> {
    const [instance] = await this.describe([], [instanceId]);
    if (!instance || workstationOf(instance.Tags) === null) {
      throw new CloudRigError('NotManaged', `${instanceId} was not created by CloudRig, so CloudRig leaves it alone.`,
        { action: 'manage-in-aws' });
    }
    return instance;
  }

  async startInstance(instanceId: string): Promise<void> {
    const instance = await this.assertManaged(instanceId);
    const instanceType = instance.InstanceType ?? '';
    await this.guard(() => this.ec2.send(new StartInstancesCommand({ InstanceIds: [instanceId] })), { instanceType })
      .catch(async (error: unknown) => {
        if (!(error instanceof CloudRigError) || error.code !== 'InsufficientInstanceCapacity') throw error;
        // A stopped instance keeps its disk in its zone: another type there is the way, not another
        // launch. Offered, never taken silently: the same GPU in the next size, from the region's catalog.
        const catalog = await listGpuInstanceTypes(this.access, this.region).catch(() => []);
        const similar = similarGpuType(instanceType, catalog);
        const similarGpu = catalog.find((t) => t.instanceType === similar)?.gpuModel ?? null;
        const name = workstationOf(instance.Tags) ?? '';
        // A spot instance's type cannot change: its way to another type is a relaunch from an image.
        const fix: Fix = instance.InstanceLifecycle !== 'spot'
          ? { action: 'resize-for-capacity', name, instanceType: similar, similarGpu }
          : similar === null ? { action: 'retry', reason: 'capacity' }
          : thenFix({ action: 'retry', reason: 'capacity' }, { action: 'resize-by-relaunch', name, instanceType: similar });
        throw new CloudRigError('InsufficientInstanceCapacity',
          `AWS has no ${instanceType}${instance.InstanceLifecycle === 'spot' ? ' spot' : ''} capacity in ${instance.Placement?.AvailabilityZone ?? this.region} to start ${instanceId} right now. It stays stopped: only its disk is billed.`,
          fix);
      });
  }

  async stopInstance(instanceId: string): Promise<void> {
    await this.assertManaged(instanceId);
    await this.guard(() => this.ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] })));
  }

  async terminateInstance(instanceId: string): Promise<void> {
    const instance = await this.assertManaged(instanceId);
    // A persistent spot request would launch a replacement for the terminated instance: cancel it first.
    const spotRequestId = instance.SpotInstanceRequestId;
    if (spotRequestId) {
      await this.guard(() => this.ec2.send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [spotRequestId] })));
    }
    await this.guard(() => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] })));
  }

  async modifyInstanceType(instanceId: string, instanceType: string): Promise<void> {
    await this.assertManaged(instanceId);
    await this.guard(() => this.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceType: { Value: instanceType } })), { instanceType });
  }

  instanceTypesInZone(availabilityZone: string): Promise<ReadonlySet<string>> {
    return instanceTypesOfferedIn(this.access, this.region, availabilityZone);
  }

  async describeInstanceType(instanceType: string): Promise<InstanceTypeFacts | null> {
    const out = await this.guard(() => this.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] })), { instanceType })
      .catch((error: CloudRigError) => {
        // EC2 names the type it does not offer in this region by this code; anything else is a real failure.
        if (error.awsCode?.startsWith('InvalidInstanceType')) return { InstanceTypes: [] };
        throw error;
      });
    const info = out.InstanceTypes?.find((t) => t.InstanceType === instanceType);
    return info ? instanceTypeFactsOf(info) : null;
  }

  async imageFacts(imageId: string): Promise<ImageFacts | null> {
    const image = await this.imageOrNull(imageId);
    return image ? { imageId, architecture: image.Architecture ?? null, name: image.Name ?? null, description: image.Description ?? null } : null;
  }

  async createImage(instanceId: string, name: string, workstation: string): Promise<string> {
    await this.assertManaged(instanceId);
    const tags = tagsFor('image', workstation);
    // CreateImage has no idempotency token: the SDK must not send it twice. One attempt; when its
    // answer is lost (reset, dropped), the image it may have made is looked up by its source tag.
    const ec2Once = awsClients(this.access).ec2Once(this.region);
    const create = new CreateImageCommand({
      InstanceId: instanceId,
      Name: name,
      Description: `CloudRig workstation ${workstation}`,
      // The source instance in a tag: a rerun after a crash finds this image instead of making another.
      TagSpecifications: [{ ...tags, Tags: [...(tags.Tags ?? []), { Key: TAG_SOURCE_INSTANCE, Value: instanceId }] }],
    });
    const out = await this.guard(() => ec2Once.send(create)).catch(async (error: unknown) => {
      // Lost answer, or InvalidAMIName.Duplicate: an earlier request for this name was applied.
      const made = await this.findImageFrom(workstation, instanceId).catch(() => null) ?? await this.findImageNamed(name).catch(() => null);
      if (made) return { ImageId: made.imageId };
      throw error;
    });
    const imageId = out.ImageId ?? '';
    // Best effort here (the snapshots may not exist yet); `down` tags them again once the image is available.
    await this.tagImageSnapshots(imageId, workstation).catch(() => undefined);
    return imageId;
  }

  /** This account's image of that name in the region (names are unique there), or null. */
  private async findImageNamed(name: string): Promise<SavedImage | null> {
    const out = await this.guard(() => this.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] })));
    const image = out.Images?.[0];
    return image ? imageOf(image) : null;
  }

  async findImageFrom(workstation: string, instanceId: string): Promise<SavedImage | null> {
    const out = await this.guard(() => this.ec2.send(new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [
        { Name: `tag:${TAG_WORKSTATION}`, Values: [workstation] },
        { Name: `tag:${TAG_MANAGED}`, Values: ['true'] },
        { Name: `tag:${TAG_SOURCE_INSTANCE}`, Values: [instanceId] },
        { Name: 'state', Values: ['pending', 'available'] },
      ],
    })));
    return (out.Images ?? []).map(imageOf).sort((a, b) => byText(b.createdAt ?? '', a.createdAt ?? ''))[0] ?? null;
  }

  async tagImageSnapshots(imageId: string, workstation: string): Promise<void> {
    // Tagged separately (some EC2 implementations refuse snapshot tags on CreateImage); the cost
    // view and the kill tests find them by these tags. Rerun on every save, so a crash right after
    // CreateImage leaves nothing untagged for long.
    const snapshots = (await this.describeImage(imageId))?.snapshotIds ?? [];
    if (snapshots.length) {
      const { Tags } = tagsFor('snapshot', workstation);
      await this.guard(() => this.ec2.send(new CreateTagsCommand({ Resources: [...snapshots], Tags })));
    }
  }

  async describeImage(imageId: string): Promise<SavedImage | null> {
    const image = await this.imageOrNull(imageId);
    return image ? imageOf(image) : null;
  }

  /** The image as DescribeImages has it; null when it is gone (deregistered, or never in this region). */
  private async imageOrNull(imageId: string): Promise<Image | null> {
    const out = await this.guard(() => this.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })))
      .catch((error: CloudRigError) => {
        if (error.code === 'InvalidAMIID') return { Images: [] };
        throw error;
      });
    return out.Images?.[0] ?? null;
  }

  async listImages(workstation: string): Promise<SavedImage[]> {
    const out = await this.guard(() => this.ec2.send(new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [{ Name: `tag:${TAG_WORKSTATION}`, Values: [workstation] }, { Name: `tag:${TAG_MANAGED}`, Values: ['true'] }],
    })));
    return (out.Images ?? []).map(imageOf).sort((a, b) => byText(b.createdAt ?? '', a.createdAt ?? ''));
  }

  async snapshotStates(snapshotIds: readonly string[]): Promise<ReadonlyArray<{ readonly snapshotId: string; readonly state: string }>> {
    if (snapshotIds.length === 0) return [];
    // By filter, not SnapshotIds: a deleted snapshot is then absent rather than an error for the whole call.
    const out = await this.guard(() => this.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: [...snapshotIds] }] })));
    return (out.Snapshots ?? []).map((snapshot) => ({ snapshotId: snapshot.SnapshotId ?? '', state: snapshot.State ?? 'pending' }));
  }

  async deleteImage(imageId: string): Promise<void> {
    const image = await this.describeImage(imageId);
    await this.guard(() => this.ec2.send(new DeregisterImageCommand({ ImageId: imageId })));
    for (const snapshotId of image?.snapshotIds ?? []) {
      await this.guard(() => this.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    }
  }
}

/** The IPv4 ranges a group's permissions admit on exactly tcp/port, with their descriptions. */
function rulesOn(permissions: readonly IpPermission[], port: number): IngressRule[] {
  return permissions
    .filter((p) => p.IpProtocol === 'tcp' && p.FromPort === port && p.ToPort === port)
    .flatMap((p) => (p.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [{ cidr: r.CidrIp, description: r.Description ?? null }] : [])));
}

