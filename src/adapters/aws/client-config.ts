import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { awsDebugLogger, debugEnabled } from './debug-log.js';

/** How every AWS client is configured: region, optional profile or explicit keys, adaptive retries. */
export interface AwsAccess {
  /** A profile from ~/.aws; undefined uses the SDK's default chain. */
  readonly profile?: string | null;
  /** Keys typed into the app (decrypted only in memory); they win over the profile. */
  readonly credentials?: AwsCredentialIdentity | null;
  /** Total attempts per call, including retries. */
  readonly maxAttempts?: number;
}

/**
 * Client options for one region. Endpoints are never set here: the SDK itself reads
 * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> (that is how tests point at moto).
 */
export function clientConfig(region: string, access: AwsAccess) {
  return {
    region,
    // Adaptive retries unless the user chose otherwise through AWS_RETRY_MODE / AWS_MAX_ATTEMPTS.
    retryMode: process.env.AWS_RETRY_MODE ?? 'adaptive',
    maxAttempts: access.maxAttempts ?? (process.env.AWS_MAX_ATTEMPTS ? Number(process.env.AWS_MAX_ATTEMPTS) : 5),
    ...(access.credentials ? { credentials: access.credentials } : access.profile ? { profile: access.profile } : {}),
    ...(debugEnabled() ? { logger: awsDebugLogger(region) } : {}),
  };
}
