import { CloudRigError } from '../../core/errors.js';
import { isErrorCode } from '../../shared/errors.js';
import { shellQuote } from '../../core/ssh-command.js';
import { KNOWN_REGIONS } from '../../core/validate.js';
import { originOfError } from './client-registry.js';
import { endpointOverride } from './client-config.js';

/** What the failing call was about, to make the message specific. */
export interface ErrorContext {
  readonly region: string;
  readonly instanceType?: string;
  readonly imageId?: string;
  readonly profile?: string | null;
  /** The environment the client was configured from (its endpoint overrides). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Decodes an UnauthorizedOperation's encoded message (STS), when the caller may. */
  readonly decode?: (encoded: string) => Promise<string | null>;
}

/** vCPUs of an instance type by its size (xlarge = 4, Nxlarge = 4N). */
export function vcpusOf(instanceType: string): number {
  const size = instanceType.split('.')[1] ?? '';
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  const n = /^(\d+)xlarge$/.exec(size);
  if (n) return 4 * Number(n[1]);
  return size === 'medium' ? 1 : 4;
}

/** The Service Quotas entry that limits an instance family's on-demand (or spot) vCPUs. */
export function quotaFor(instanceType: string, spot: boolean): { code: string; label: string } {
  const family = instanceType.split('.')[0] ?? '';
  if (/^(p|trn|dl)/.test(family) && !spot) return { code: 'L-417A185B', label: 'Running On-Demand P instances' };
  if (/^(g|vt)/.test(family)) {
    return spot ? { code: 'L-3819A6DF', label: 'All G and VT Spot Instance Requests' } : { code: 'L-DB2E81BA', label: 'Running On-Demand G and VT instances' };
  }
  return spot ? { code: 'L-34B43A08', label: 'All Standard Spot Instance Requests' } : { code: 'L-1216C47A', label: 'Running On-Demand Standard instances' };
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

function networkCode(error: SdkErrorLike): string | undefined {
  if (error.code && UNREACHABLE.has(error.code)) return error.code;
  for (const inner of error.errors ?? []) {
    const code = (inner as SdkErrorLike).code;
    if (code && UNREACHABLE.has(code)) return code;
  }
  if (error.name === 'TimeoutError' || error.name === 'RequestTimeout') return 'ETIMEDOUT';
  return undefined;
}

/**
 * The endpoint for `service` (its service id, e.g. `EC2`, `Service Quotas`) in `region`, for an
 * error whose request was never built: the override the client was given, else AWS's own.
 */
export function endpointOf(service: string, region: string, env: Readonly<Record<string, string | undefined>>): string {
  return endpointOverride(service, env) ?? `https://${service.toLowerCase().replace(/[^a-z0-9]/g, '')}.${region}.amazonaws.com`;
}

/** 5xx codes AWS answers while it has a passing failure of its own. */
const SERVER_ERRORS = new Set(['ServiceUnavailable', 'ServiceUnavailableException', 'Unavailable', 'InternalError', 'InternalFailure', 'InternalServerError', 'InternalServerException']);

/**
 * Turns an AWS SDK (or network) error into a CloudRigError with a fix. Already-mapped errors
 * pass through. Unknown AWS errors keep AWS's code and message.
 */
export async function mapAwsError(raw: unknown, context: ErrorContext): Promise<CloudRigError> {
  if (raw instanceof CloudRigError) return raw;
  const error = (raw ?? {}) as SdkErrorLike;
  const code = error.name ?? error.code ?? 'Unknown';
  const message = error.message ?? String(raw);
  const { region } = context;
  /** The profile as a shell word, for a command the fix shows. */
  const profileArg = context.profile ? shellQuote(context.profile) : null;

  const net = networkCode(error);
  // A region AWS does not have answers with no host (ENOTFOUND) or, behind an endpoint override,
  // with a page that is not AWS XML: either way the region is what to fix.
  if (!KNOWN_REGIONS.includes(region) && (net || isDeserializationError(error))) {
    return new CloudRigError('UnknownRegion', `AWS has no region "${region}" (from the workstation's settings or AWS_REGION).`,
      { action: 'choose-region' });
  }
  if ((raw as { code?: string } | null)?.code === 'ERR_INVALID_URL') {
    return new CloudRigError('InvalidEndpoint', 'An AWS endpoint override (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>) is not a URL.',
      { action: 'fix-endpoint' });
  }
  // The client that threw names its service and endpoint; an error from elsewhere is EC2's, the
  // service most calls go to.
  const origin = originOfError(raw);
  const service = origin?.service ?? 'EC2';
  /** A service other than EC2 failed: messages that would not otherwise say which one name it. */
  const other = service !== 'EC2';
  if (net) {
    const endpoint = origin?.endpoint ?? endpointOf(service, region, context.env ?? {});
    const attempts = error.$metadata?.attempts;
    const tries = attempts && attempts > 1 ? ` (${attempts} attempts)` : '';
    const what = net === 'ETIMEDOUT'
      ? `AWS ${service} at ${endpoint} did not answer in time${tries}`
      : `Could not reach AWS ${service} at ${endpoint}${tries}: ${net}`;
    return new CloudRigError('EndpointUnreachable', `${what}.`,
      { action: 'retry', reason: 'network' });
  }

  if (isClockSkew(code, message)) {
    return new CloudRigError('ClockSkew', `AWS refused the request's time stamp: this computer's clock is off by more than AWS allows (${code}: ${message.split('\n')[0]!.trim()}).`,
      { action: 'sync-clock' });
  }

  switch (code) {
    case 'VcpuLimitExceeded': {
      const type = context.instanceType ?? 'this instance type';
      const quota = quotaFor(context.instanceType ?? 'g4dn.xlarge', false);
      const need = context.instanceType ? vcpusOf(context.instanceType) : 4;
      return new CloudRigError(code, `Your account's vCPU quota for ${quota.label} in ${region} is too low to run a ${type} (it needs ${need} vCPUs).`,
        { action: 'request-quota', region, quotaCode: quota.code, quotaName: quota.label, desired: need });
    }
    case 'InsufficientInstanceCapacity':
      return new CloudRigError(code, `AWS has no ${context.instanceType ?? 'capacity for this instance type'} capacity free in ${region} right now.`,
        { action: 'other-capacity', instanceType: context.instanceType ?? null, similar: 'g5.xlarge', otherMarket: null });
    case 'CredentialsProviderError':
    case 'ProviderError':
      return new CloudRigError('NoCredentials', `No AWS credentials found${context.profile ? ` for profile "${context.profile}"` : ''}.`,
        { action: 'configure-credentials', profile: context.profile ?? null, problem: 'missing' });
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'RequestExpired':
    case 'TokenRefreshRequired':
      return new CloudRigError('ExpiredCredentials', 'Your AWS credentials have expired.',
        { action: 'configure-credentials', profile: profileArg, problem: 'expired' });
    case 'AuthFailure':
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
    case 'SignatureDoesNotMatch':
    case 'IncompleteSignature':
      return new CloudRigError('InvalidCredentials', 'AWS did not accept your credentials (unknown access key or wrong secret).',
        { action: 'configure-credentials', profile: profileArg, problem: 'invalid' });
    case 'UnauthorizedOperation':
    case 'AccessDenied':
    case 'AccessDeniedException': {
      const encoded = /Encoded authorization failure message: (\S+)/.exec(message)?.[1];
      let detail = '';
      if (encoded && context.decode) {
        const decoded = await context.decode(encoded).catch(() => null);
        const action = decoded ? describeDecoded(decoded) : null;
        if (action) detail = ` ${action}`;
      }
      return new CloudRigError('UnauthorizedOperation', `${other ? `AWS ${service} refused: y` : 'Y'}our AWS identity is not allowed to do this in ${region}.${detail}`,
        { action: 'grant-permissions' });
    }
    case 'RequestLimitExceeded':
    case 'Throttling':
    case 'ThrottlingException':
      return new CloudRigError('RequestLimitExceeded', `AWS ${other ? `${service} ` : ''}is throttling requests in ${region} and kept refusing after ${error.$metadata?.attempts ?? 'several'} attempts.`,
        { action: 'retry', reason: 'throttled' });
    case 'IdempotentParameterMismatch':
      return new CloudRigError(code, 'A launch with different settings is already recorded for this workstation.',
        { action: 'reset-launch' });
    case 'InvalidKeyPair.NotFound':
      return new CloudRigError(code, `The key pair for this workstation is missing in ${region}.`, { action: 'recreate-key', name: null });
    default:
      if (code.startsWith('InvalidAMIID')) {
        return new CloudRigError('InvalidAMIID', `The image ${context.imageId ?? ''} does not exist in ${region} or you may not use it (${code}).`.replace('  ', ' '),
          { action: 'check-image', region });
      }
      if (SERVER_ERRORS.has(code) || (error.$metadata?.httpStatusCode ?? 0) >= 500) {
        return new CloudRigError('AwsUnavailable', `AWS ${service} in ${region} kept failing on its side (${code}, HTTP ${error.$metadata?.httpStatusCode ?? '5xx'}) after ${error.$metadata?.attempts ?? 'several'} attempts.`,
          { action: 'retry', reason: 'aws-unavailable' });
      }
      // Only the first line: SDK messages may append hints meant for programmers.
      return new CloudRigError(isErrorCode(code) ? code : 'AwsError', `AWS ${other ? `${service} ` : ''}said: ${message.split('\n')[0]!.trim()}`, { action: 'retry', reason: 'aws-said' }, code);
  }
}

/**
 * AWS's answers to a request signed at a time too far from its own: the codes that say so, and the
 * signature errors whose message does ("Signature expired: … is now earlier than …", "Signature
 * not yet current: … is still later than …"), which would otherwise read as wrong keys.
 */
function isClockSkew(code: string, message: string): boolean {
  if (code === 'RequestTimeTooSkewed' || code === 'RequestInTheFuture') return true;
  return /^(SignatureDoesNotMatch|InvalidSignatureException|AuthFailure|RequestExpired)$/.test(code)
    && /Signature expired|Signature not yet current|too skewed|is now earlier than|is still later than/i.test(message);
}

/** The SDK could not parse the answer (an HTML page, a proxy's error): not AWS speaking. */
function isDeserializationError(error: SdkErrorLike): boolean {
  return /Deserialization error|XML parse error|Unexpected token|is not valid JSON/.test(error.message ?? '');
}

function describeDecoded(decoded: string): string | null {
  try {
    const parsed = JSON.parse(decoded) as { context?: { action?: string; resource?: string } };
    const action = parsed.context?.action;
    if (!action) return null;
    return `It was denied ${action}${parsed.context?.resource ? ` on ${parsed.context.resource}` : ''}.`;
  } catch {
    return null;
  }
}
