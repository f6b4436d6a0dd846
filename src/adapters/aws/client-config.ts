import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { DefaultsMode } from '@smithy/core/client';
import { awsDebugLogger, debugEnabled } from './debug-log.js';
import { credentialSource } from './credential-source.js';

/** How every AWS client is configured: region, optional profile or explicit keys, adaptive retries. */
export interface AwsAccess {
  /** A profile from ~/.aws; undefined uses the SDK's default chain. */
  readonly profile?: string | null;
  /** Keys typed into the app (decrypted only in memory); they win over the profile. */
  readonly credentials?: AwsCredentialIdentity | null;
  /** Total attempts per call, including retries. */
  readonly maxAttempts?: number;
  /** The environment, read once by the entry point: retry mode and attempts, timeouts, debug logging. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Default total attempts per call (first try + retries). */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** The longest one AWS call may take, every attempt and back-off included: a dead endpoint fails within it. */
export const CALL_BUDGET_MS = 60_000;
/** Per attempt: how long to wait for the TCP/TLS connection. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
/** Per attempt: how long the socket may stay silent before the attempt is abandoned. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 8_000;
/** Room left for the SDK's back-off between attempts (100 ms base, doubling, jittered: < 2^n × 100 ms). */
const BACKOFF_ALLOWANCE_MS = 4_000;

/** The per-attempt timeouts given to the SDK's Node HTTP handler. */
export interface RequestTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
}

/**
 * Timeouts per attempt such that `maxAttempts` attempts still end within CALL_BUDGET_MS.
 * `CLOUDRIG_AWS_TIMEOUT_MS` shortens the per-attempt request timeout (tests; impatient users).
 */
export function requestTimeouts(maxAttempts: number, env: AwsAccess['env']): RequestTimeouts {
  const attempts = Math.max(1, maxAttempts);
  const perAttempt = Math.floor((CALL_BUDGET_MS - BACKOFF_ALLOWANCE_MS) / attempts);
  const connectionTimeout = Math.min(DEFAULT_CONNECTION_TIMEOUT_MS, Math.floor(perAttempt / 3));
  let requestTimeout = Math.min(DEFAULT_REQUEST_TIMEOUT_MS, perAttempt - connectionTimeout);
  const override = Number(env.CLOUDRIG_AWS_TIMEOUT_MS);
  if (Number.isFinite(override) && override > 0) requestTimeout = Math.min(requestTimeout, override);
  return { connectionTimeout: Math.min(connectionTimeout, requestTimeout), requestTimeout };
}

/** The worst case of one call under these settings: every attempt times out, plus the back-off. */
export function worstCaseCallMs(maxAttempts: number, timeouts: RequestTimeouts): number {
  return Math.max(1, maxAttempts) * (timeouts.connectionTimeout + timeouts.requestTimeout) + BACKOFF_ALLOWANCE_MS;
}

/** The attempts per call: the caller's, else AWS_MAX_ATTEMPTS, else the default. */
export function maxAttemptsOf(access: AwsAccess, env: AwsAccess['env'] = access.env): number {
  const fromEnv = Number(env.AWS_MAX_ATTEMPTS);
  return access.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS);
}

/**
 * NodeHttpHandler options. Without them a silent endpoint keeps a call open for minutes; and
 * `requestTimeout` alone only logs a warning in @smithy/node-http-handler 4.x, so it is made to
 * throw, and a silent socket is cut after the same time.
 */
export function handlerOptions(timeouts: RequestTimeouts) {
  return { ...timeouts, socketTimeout: timeouts.requestTimeout, throwOnRequestTimeout: true };
}

/**
 * The endpoint override for `service` (the SDK's service id: `EC2`, `Service Quotas`) as the AWS CLI
 * and SDKs read it: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL; none unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
 */
export function endpointOverride(service: string, env: AwsAccess['env']): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * Client options for `service` in one region, all from `access` and its environment (the endpoint
 * override is how tests point at moto; two cores in one process with different environments each
 * reach their own). Every client gets request timeouts, so an endpoint that accepts and never
 * answers ends in an error, not silence.
 *
 * Each setting the SDK would otherwise look up itself is named here, because its lookup reads
 * the process environment (and the ~/.aws/config that the process environment's HOME, AWS_CONFIG_FILE and AWS_PROFILE
 * point at), not the environment this client was given: the endpoint (else
 * `ignoreConfiguredEndpointUrls`, so AWS_ENDPOINT_URL[_<SERVICE>] and a profile's endpoint_url in
 * the process's environment are not consulted), FIPS and dual-stack endpoints, the user agent's app
 * id, the auth scheme preference, the SigV4a region set (STS), the defaults mode and the profile.
 * So a shared config file's settings for these (endpoint_url, use_fips_endpoint, ...) are not read;
 * the environment's are, and the shared files serve credentials (credential-source.ts). What the SDK
 * still reads from the process environment has no client option and picks neither the endpoint nor the keys:
 * the Node-version warning switch, AWS_EXECUTION_ENV in the user agent, Lambda's trace id.
 */
export function clientConfig(service: string, region: string, access: AwsAccess) {
  const { env } = access;
  const maxAttempts = maxAttemptsOf(access);
  const endpoint = endpointOverride(service, env);
  return {
    region,
    // Adaptive retries unless the user chose otherwise through AWS_RETRY_MODE / AWS_MAX_ATTEMPTS.
    retryMode: env.AWS_RETRY_MODE ?? 'adaptive',
    maxAttempts,
    requestHandler: handlerOptions(requestTimeouts(maxAttempts, env)),
    ...(endpoint ? { endpoint } : { ignoreConfiguredEndpointUrls: true }),
    useFipsEndpoint: env.AWS_USE_FIPS_ENDPOINT === 'true',
    useDualstackEndpoint: env.AWS_USE_DUALSTACK_ENDPOINT === 'true',
    // Providers, not values: an unset value would send the SDK to the process environment for it.
    userAgentAppId: () => Promise.resolve(env.AWS_SDK_UA_APP_ID),
    authSchemePreference: () => Promise.resolve(listOf(env.AWS_AUTH_SCHEME_PREFERENCE) ?? []),
    sigv4aSigningRegionSet: () => Promise.resolve(listOf(env.AWS_SIGV4A_SIGNING_REGION_SET)),
    // It would only choose a retry mode and timeouts, both set above; named so it is not looked up.
    defaultsMode: (env.AWS_DEFAULTS_MODE ?? 'legacy') as DefaultsMode,
    profile: access.profile || env.AWS_PROFILE || 'default',
    credentials: credentialSource(env, access.credentials, access.profile),
    ...(debugEnabled(env) ? { logger: awsDebugLogger(region) } : {}),
  };
}

/** A comma-separated setting as the SDK splits it; undefined when unset. */
function listOf(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean);
}
