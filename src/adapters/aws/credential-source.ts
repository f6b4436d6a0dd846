import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { CredentialsProviderError } from '@smithy/core/config';
import { createCredentialChain, fromHttp, fromIni, fromInstanceMetadata } from '@aws-sdk/credential-providers';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The shared config and credentials files as the AWS CLI finds them, from the given environment. A
 * `~/` path is expanded here: the SDK would expand it with the process environment's HOME.
 */
export function sharedAwsFiles(env: Environment): { readonly filepath: string; readonly configFilepath: string } {
  // The given environment's HOME; os.homedir() (which reads the process's) only when it has none at all.
  const home = env.HOME || homedir();
  const expand = (path: string): string => (path.startsWith('~/') ? join(home, path.slice(2)) : path);
  return {
    filepath: expand(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials')),
    configFilepath: expand(env.AWS_CONFIG_FILE || join(home, '.aws', 'config')),
  };
}

/**
 * Where a client's credentials come from, decided from the given environment (never the SDK's own
 * reading of the process's, so two cores with different environments each use their own): keys typed
 * into the app; else the profile asked for (--profile, the settings, AWS_PROFILE) from the shared
 * files the environment names; else keys in the environment (the SDK's chain takes them first);
 * else the default profile, then a container's or an instance's role, as the SDK's chain goes on.
 * A profile that assumes a role or signs in with SSO has fromIni make its own STS or SSO client; those
 * clients (and the SSO token cache's path) are the SDK's, configured from the process environment, which the
 * entry points pass down unchanged, so there the two agree.
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
  return createCredentialChain(fromIni({ profile: 'default', ...files }), remoteCredentials(env));
}

/**
 * A container's or an instance's role, as the SDK's default chain picks between them, but from the
 * given environment: a container's credentials endpoint when it names one (fromHttp takes the URI and
 * token as options; '' for an unset one, since fromHttp reads the process environment for any it is not given),
 * else the instance metadata service unless AWS_EC2_METADATA_DISABLED says not to.
 *
 * fromInstanceMetadata has no option for the rest of what it reads: its endpoint
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT[_MODE]) and whether IMDSv1 is refused (AWS_EC2_METADATA_V1_DISABLED)
 * come from the process environment and its ~/.aws/config. The given environment can only add the refusal
 * (ec2MetadataV1Disabled), never lift one. Both entry points pass the process's own environment, so
 * there the two agree; a run given another environment (the in-process test runner) reaches IMDS only
 * when that environment has no keys, no profile and no container endpoint, and the tests' environments disable it.
 */
function remoteCredentials(env: Environment): AwsCredentialIdentityProvider {
  const relative = env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ?? '';
  const full = env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? '';
  if (relative || full) {
    // Built when asked, as the SDK's chain does: a malformed URI fails this link, not the client's construction.
    return (options) => fromHttp({
      awsContainerCredentialsRelativeUri: relative,
      awsContainerCredentialsFullUri: full,
      awsContainerAuthorizationToken: env.AWS_CONTAINER_AUTHORIZATION_TOKEN ?? '',
      awsContainerAuthorizationTokenFile: env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ?? '',
    })(options);
  }
  if (env.AWS_EC2_METADATA_DISABLED && env.AWS_EC2_METADATA_DISABLED !== 'false') {
    // A CredentialsProviderError, as the SDK's chain ends with here: it maps to NoCredentials.
    return () => Promise.reject(new CredentialsProviderError('EC2 Instance Metadata Service access disabled', { tryNextLink: false }));
  }
  const v1Disabled = env.AWS_EC2_METADATA_V1_DISABLED;
  return fromInstanceMetadata({ ec2MetadataV1Disabled: Boolean(v1Disabled) && v1Disabled !== 'false' });
}
