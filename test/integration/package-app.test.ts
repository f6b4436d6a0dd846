import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// scripts/package-app.sh decides, from the secrets a workflow passes (empty when unset), how
// electron-builder signs. Run for real in dry-run mode, and its arguments read by electron-builder's
// own command-line parser, config loader (electron-builder.yml merged) and schema.
const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const builderCli = require('electron-builder/out/builder.js') as {
  configureBuildCommand: (yargs: unknown) => { argv: Record<string, unknown> };
  normalizeOptions: (args: Record<string, unknown>) => { config?: object };
};
const yargs = createRequire(require.resolve('electron-builder/package.json'))('yargs') as (argv: string[]) => unknown;
const builderConfig = require('app-builder-lib/out/util/config/config.js') as {
  getConfig: (projectDir: string, configPath: null, fromOptions: object | undefined) => Promise<BuilderConfig>;
  validateConfiguration: (config: BuilderConfig, debug: { add: () => void }) => Promise<void>;
};
interface BuilderConfig {
  mac?: { identity?: string | null; hardenedRuntime?: boolean; notarize?: boolean };
  win?: { azureSignOptions?: Record<string, string>; signtoolOptions?: { signingHashAlgorithms?: string[] } };
}

// What Actions passes when no secret is set: every variable, empty.
const NO_SECRETS = Object.fromEntries(
  ['CSC_LINK', 'CSC_KEY_PASSWORD', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER', 'APPLE_ID',
    'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_SIGNING_ENDPOINT',
    'AZURE_SIGNING_ACCOUNT', 'AZURE_SIGNING_PROFILE', 'AZURE_SIGNING_PUBLISHER'].map((name) => [name, '']),
);

let temp: string;
beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'cloudrig-package-'));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The electron-builder arguments, one per printed line. */
  readonly args: string[];
  /** Names of the signing variables electron-builder would see. */
  readonly signingWith: string[];
}

async function packageApp(os: string, publish: string, secrets: Record<string, string>): Promise<Outcome> {
  const env = { PATH: process.env.PATH ?? '', HOME: temp, RUNNER_TEMP: temp, RUNNER_OS: os, PACKAGE_DRY_RUN: '1', ...NO_SECRETS, ...secrets };
  const result = await run('bash', [join(ROOT, 'scripts', 'package-app.sh'), publish], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  const lines = result.stdout.split('\n');
  const args = lines.slice(lines.indexOf('electron-builder') + 1).filter((line) => line.startsWith('  ')).map((line) => line.slice(2));
  const signing = lines.find((line) => line.startsWith('signing with:')) ?? '';
  return { ...result, args, signingWith: signing.replace('signing with:', '').trim().split(' ').filter(Boolean) };
}

/** The configuration electron-builder would build with, given these command-line arguments. */
async function effectiveConfig(args: string[]): Promise<BuilderConfig> {
  const options = builderCli.normalizeOptions(builderCli.configureBuildCommand(yargs(args)).argv);
  const config = await builderConfig.getConfig(ROOT, null, options.config);
  await builderConfig.validateConfiguration(config, { add: () => undefined });
  return config;
}

describe('packaging on macOS', () => {
  it('signs ad hoc without the hardened runtime when no Developer ID is set', async () => {
    const outcome = await packageApp('macOS', 'always', {});
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('the app is signed ad hoc, not notarized');
    expect(outcome.signingWith).toEqual([]);
    const config = await effectiveConfig(outcome.args);
    expect(config.mac).toMatchObject({ identity: '-', hardenedRuntime: false });
  });

  it('signs with the certificate, hardened and notarized, when the secrets are set', async () => {
    const outcome = await packageApp('macOS', 'always', {
      CSC_LINK: 'base64-p12', CSC_KEY_PASSWORD: 'secret', APPLE_API_KEY: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----',
      APPLE_API_KEY_ID: 'ABC123', APPLE_API_ISSUER: 'issuer', WIN_CSC_LINK: 'not-for-mac',
    });
    expect(outcome.code).toBe(0);
    expect(outcome.args).toEqual(['--publish', 'always']);
    expect(outcome.signingWith).toEqual(['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER']);
    // notarytool takes the key as a file: written where only this user can read it.
    const keyFile = join(temp, 'cloudrig-notary-key.p8');
    expect(await readFile(keyFile, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    expect((await stat(keyFile)).mode & 0o077).toBe(0);
    const config = await effectiveConfig(outcome.args);
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true });
    expect(config.mac?.identity).toBeUndefined();
  });

  it('refuses a certificate without notarization credentials, in one line that names them', async () => {
    const outcome = await packageApp('macOS', 'always', { CSC_LINK: 'base64-p12', CSC_KEY_PASSWORD: 'secret' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: CSC_LINK is set but no notarization credentials are\. Fix: set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER/)]);
  });
});

describe('packaging on Windows', () => {
  it('builds unsigned, and never hands over the macOS certificate, when no Windows secret is set', async () => {
    const outcome = await packageApp('Windows', 'always', { CSC_LINK: 'mac-p12', CSC_KEY_PASSWORD: 'secret' });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('the installer is unsigned');
    expect(outcome.signingWith).toEqual([]);
    expect((await effectiveConfig(outcome.args)).win?.signtoolOptions).toEqual({ signingHashAlgorithms: ['sha256'] });
  });

  it('signs with signtool from WIN_CSC_LINK', async () => {
    const outcome = await packageApp('Windows', 'always', { WIN_CSC_LINK: 'base64-pfx', WIN_CSC_KEY_PASSWORD: 'secret' });
    expect(outcome.args).toEqual(['--publish', 'always']);
    expect(outcome.signingWith).toEqual(['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD']);
  });

  it('signs with Azure Trusted Signing when its secrets are set, ahead of a .pfx', async () => {
    const outcome = await packageApp('Windows', 'always', {
      WIN_CSC_LINK: 'base64-pfx', AZURE_SIGNING_ENDPOINT: 'https://eus.codesigning.azure.net', AZURE_SIGNING_ACCOUNT: 'cloudrig',
      AZURE_SIGNING_PROFILE: 'public', AZURE_SIGNING_PUBLISHER: 'CloudRig contributors', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's',
    });
    expect(outcome.code).toBe(0);
    expect(outcome.signingWith).not.toContain('WIN_CSC_LINK');
    const config = await effectiveConfig(outcome.args);
    expect(config.win?.azureSignOptions).toEqual({
      endpoint: 'https://eus.codesigning.azure.net', codeSigningAccountName: 'cloudrig', certificateProfileName: 'public', publisherName: 'CloudRig contributors',
    });
  });

  it('refuses half an Azure configuration, naming what is missing', async () => {
    const outcome = await packageApp('Windows', 'always', { AZURE_SIGNING_ENDPOINT: 'https://eus.codesigning.azure.net' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim()).toMatch(/^error: AZURE_SIGNING_ENDPOINT is set but AZURE_SIGNING_ACCOUNT is not\. Fix: set AZURE_SIGNING_ACCOUNT as a secret/);
  });
});

describe('packaging on Linux', () => {
  it('signs nothing and passes the publish mode through', async () => {
    const outcome = await packageApp('Linux', 'never', { CSC_LINK: 'mac-p12', WIN_CSC_LINK: 'pfx' });
    expect(outcome.args).toEqual(['--publish', 'never']);
    expect(outcome.signingWith).toEqual([]);
  });
});
