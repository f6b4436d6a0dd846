import { loadSharedConfigFiles } from '@smithy/core/config';
import type { DefaultRegion } from '../../core/app/cloudrig-core.js';
import { sharedAwsFiles } from './credential-source.js';

/**
 * The region the AWS SDK would use without one given, and where it comes from: `AWS_REGION`, else
 * the `region` of the profile (`--profile`, else `AWS_PROFILE`, else `default`) in the shared config
 * (or credentials) file, read by the SDK's own loader; null when neither names one.
 */
export async function defaultAwsRegion(profile: string | null, env: NodeJS.ProcessEnv): Promise<DefaultRegion | null> {
  const fromEnv = env.AWS_REGION?.trim();
  if (fromEnv) return { region: fromEnv, source: 'AWS_REGION' };
  const name = profile ?? env.AWS_PROFILE ?? 'default';
  // An unreadable file names no region, as for the SDK; the user is then asked or told to pass one.
  const files = await loadSharedConfigFiles({ ignoreCache: true, ...sharedAwsFiles(env) }).catch(() => null);
  if (!files) return null;
  const { configFile, credentialsFile } = files;
  // As the SDK's region provider reads it: the config file's section over the credentials file's.
  const region = (configFile[name]?.region ?? credentialsFile[name]?.region)?.trim();
  return region ? { region, source: `profile ${name} in ${env.AWS_CONFIG_FILE ?? '~/.aws/config'}` } : null;
}
