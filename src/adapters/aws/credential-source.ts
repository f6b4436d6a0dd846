import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { createCredentialChain, fromContainerMetadata, fromIni, fromInstanceMetadata } from '@aws-sdk/credential-providers';

type Environment = Readonly<Record<string, string | undefined>>;

/** The shared config and credentials files as the AWS CLI finds them, from the given environment. */
export function sharedAwsFiles(env: Environment): { readonly filepath: string; readonly configFilepath: string } {
  const home = env.HOME || homedir();
  return {
    filepath: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    configFilepath: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
  };
}

/**
 * Where a client's credentials come from, decided from the given environment (never the SDK's own
 * reading of the process's, so two cores with different environments each use their own): keys typed
 * into the app; else the profile asked for (--profile, the settings, AWS_PROFILE) from the shared
 * files the environment names; else keys in the environment (the SDK's chain takes them first);
 * else the default profile, then a container's or an instance's role, as the SDK's chain goes on.
 */
export function credentialSource(
  env: Environment,
  typed: AwsCredentialIdentity | null | undefined,
  profile: string | null | undefined,
): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  if (typed) return typed;
  const files = sharedAwsFiles(env);
  const named = profile || env.AWS_PROFILE;
  if (named) return fromIni({ profile: named, ...files });
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return createCredentialChain(fromIni({ profile: 'default', ...files }), fromContainerMetadata(), fromInstanceMetadata());
}
