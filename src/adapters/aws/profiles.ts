import { loadSharedConfigFiles } from '@smithy/core/config';
import { sharedAwsFiles } from './credential-source.js';

/**
 * Profile names from ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE /
 * AWS_SHARED_CREDENTIALS_FILE), read by the SDK's own loader so they match what the SDK will use.
 */
export async function listAwsProfiles(env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true, ...sharedAwsFiles(env) });
  // The loader also returns `sso-session.NAME` and `services.NAME` sections: not profiles.
  const names = [...Object.keys(configFile), ...Object.keys(credentialsFile)].filter((name) => !/^(sso-session|services)\./.test(name));
  return [...new Set(names)].sort();
}
