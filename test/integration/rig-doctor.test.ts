import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DLAMI_IMAGE_ID } from '../fixtures/cloud.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: true } });

const G_ON_DEMAND = 'L-DB2E81BA';
const G_SPOT = 'L-3819A6DF';

/** The line of `rig doctor`'s output whose title starts with `title`. */
function lineOf(stdout: string, title: string): string {
  return stdout.split('\n').find((line) => line.slice(2).startsWith(title)) ?? `(no line for ${title} in:\n${stdout})`;
}

describe('rig doctor', () => {
  it('passes when the credentials work, the VPC exists and the quota covers the type', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 8);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('✔ On-demand vCPU quota for g4dn.xlarge (the market it launches in): "Running On-Demand G and VT instances" in us-east-1 allows 8 vCPUs; a g4dn.xlarge needs 4.');
  });

  it('checks every part of the set-up, one line each, in order', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 8);
    world.cloud.proxy.setQuota(G_SPOT, 0);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code, doctor.stderr).toBe(0);
    const lines = doctor.stdout.trim().split('\n');
    expect(lines.map((line) => line.replace(/:.*/, ''))).toEqual([
      '✔ AWS credentials',
      '✔ Region us-east-1',
      '✔ Default VPC in us-east-1',
      '✔ Image of gpu in us-east-1',
      '✔ On-demand vCPU quota for g4dn.xlarge (the market it launches in)',
      '! Spot vCPU quota for g4dn.xlarge',
      '✔ Key pair cloudrig-gpu and its private key',
      '✔ Security group cloudrig-gpu admits your address on tcp/22',
      expect.stringMatching(/^[✔!] ssh config Include$/),
    ]);
    expect(lineOf(doctor.stdout, 'Image of gpu')).toContain(`${DLAMI_IMAGE_ID} (from /aws/service/deeplearning/`);
    // The market it does not launch in is shown, not failed, with the command that files for it.
    expect(lineOf(doctor.stdout, 'Spot vCPU quota')).toMatch(/allows 0 vCPUs; a g4dn\.xlarge needs 4\. Only a spot launch needs it\. Fix: .*run `rig doctor --request-quota --spot`/);
    expect(lineOf(doctor.stdout, 'Key pair')).toMatch(/readable only by you; they match\.$/);
    expect(lineOf(doctor.stdout, 'Security group')).toMatch(/admits 203\.0\.113\.7 \(203\.0\.113\.7\/32\)\.$/);
  });

  it('fails on a zero quota and says how to ask for more; --request-quota --yes files the increase', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 0);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ On-demand vCPU quota for g4dn\.xlarge \(the market it launches in\): .* allows 0 vCPUs; a g4dn\.xlarge needs 4\. Fix: Request at least 4 vCPUs .*`rig doctor --request-quota`/);
    expect(doctor.stderr).toMatch(/^error: 1 check failed: On-demand vCPU quota for g4dn\.xlarge \(the market it launches in\)\. Fix: Run `rig doctor --request-quota`/m);
    expect(world.cloud.proxy.quotaRequests()).toEqual([]);

    const refused = await world.rig(['doctor', '--request-quota']);
    expect(refused.stderr).toMatch(/Refusing to request 4 vCPUs .* without confirmation/);
    expect(world.cloud.proxy.quotaRequests()).toEqual([]);

    const filed = await world.rig(['doctor', '--request-quota', '--yes']);
    expect(filed.code, filed.stderr).toBe(0);
    expect(filed.stdout).toMatch(/Requested 4 vCPUs for "Running On-Demand G and VT instances" in us-east-1/);
    expect(world.cloud.proxy.quotaRequests()).toEqual([expect.objectContaining({ QuotaCode: G_ON_DEMAND, DesiredValue: 4 })]);
  });

  it('fails the image line when the image parameter does not exist in the region, as rig up then would', async () => {
    const onlyInUsEast = '/aws/service/deeplearning/ami/x86_64/only-in-us-east-1/latest/ami-id';
    world.cloud.proxy.setPublicParameter(onlyInUsEast, DLAMI_IMAGE_ID, 'us-east-1');
    world.cloud.proxy.setQuota(G_ON_DEMAND, 8);
    const init = await world.rig(initArgs(world, ['--region', 'eu-west-1', '--ami-param', onlyInUsEast]));
    expect(init.code, init.stderr).toBe(0);

    const doctor = await world.rig(['doctor']);
    expect(doctor.code).toBe(1);
    const line = lineOf(doctor.stdout, 'Image of gpu');
    expect(line).toBe(`✗ Image of gpu in eu-west-1: The image parameter ${onlyInUsEast} does not exist in eu-west-1. Fix: Check the path (rig init --ami-param …), or pass an explicit image with --ami.`);
    expect(doctor.stderr).toMatch(/^error: 1 check failed: Image of gpu in eu-west-1\./m);

    // What doctor said is what the launch says: the same resolution.
    const up = await world.rig(['up', '--timeout', '30']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`The image parameter ${onlyInUsEast} does not exist in eu-west-1.`);
    expect(await world.instances('eu-west-1')).toEqual([]);

    const elsewhere = await world.rig(['doctor', '--region', 'us-east-1']);
    expect(lineOf(elsewhere.stdout, 'Image of gpu')).toMatch(new RegExp(`^✔ Image of gpu in us-east-1: ${DLAMI_IMAGE_ID} \\(from ${onlyInUsEast}\\)`));
  });

  it('fails the key line when the private key file is deleted, and its fix makes it pass', async () => {
    const keyPath = join(world.home, 'keys', 'cloudrig-gpu.pem');
    await rm(keyPath);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code).toBe(1);
    expect(lineOf(doctor.stdout, 'Key pair')).toBe(
      `✗ Key pair cloudrig-gpu and its private key: AWS has the key pair cloudrig-gpu in us-east-1, but its private key is not at ${keyPath}. `
      + 'Fix: Copy the key file there from the machine that made it; or, if it is lost, run `rig init --name gpu --region us-east-1 --type g4dn.xlarge --new-key` to replace the key pair (an instance launched with the old key can then not be logged in to; init names it).');

    const replaced = await world.rig(['init', '--name', 'gpu', '--new-key']);
    expect(replaced.code, replaced.stderr).toBe(0);
    const again = await world.rig(['doctor']);
    expect(lineOf(again.stdout, 'Key pair')).toMatch(/^✔ Key pair cloudrig-gpu and its private key: .*they match\.$/);
  });

  it('fails the key line when the private key here is not the key pair\'s in AWS', async () => {
    const keys = world.core().keys;
    await keys.create('cloudrig-other');
    const other = await keys.read('cloudrig-other');
    await keys.write('cloudrig-gpu', other ?? '');
    const doctor = await world.rig(['doctor']);
    expect(doctor.code).toBe(1);
    expect(lineOf(doctor.stdout, 'Key pair')).toMatch(
      /^✗ Key pair cloudrig-gpu and its private key: The private key at \S+cloudrig-gpu\.pem is not the one of the key pair cloudrig-gpu in us-east-1: ssh would be refused\. Fix: .*`rig init --name gpu --region us-east-1 --type g4dn\.xlarge --new-key`/);
  });

  it('fails the key line when others can read the private key, naming the chmod', async () => {
    const keyPath = join(world.home, 'keys', 'cloudrig-gpu.pem');
    await chmod(keyPath, 0o644);
    const doctor = await world.rig(['doctor']);
    expect(lineOf(doctor.stdout, 'Key pair')).toBe(
      `✗ Key pair cloudrig-gpu and its private key: The private key of workstation gpu can be read by other users (mode 0644), so ssh refuses to use it: ${keyPath}. Fix: Make it private: chmod 600 ${keyPath}`);
  });

  it('fails the security group line when it admits another address than this machine\'s, and `rig init --cidr auto` fixes it', async () => {
    world.cloud.proxy.setMyIp('198.51.100.23');
    const doctor = await world.rig(['doctor']);
    expect(doctor.code).toBe(1);
    expect(lineOf(doctor.stdout, 'Security group')).toMatch(
      /^✗ Security group cloudrig-gpu admits your address on tcp\/22: sg-\w+ does not admit your address 198\.51\.100\.23 \(it admits 203\.0\.113\.7\/32\); your public IP has changed since\. Fix: Run `rig init --name gpu --cidr auto`\.$/);

    const fixed = await world.rig(['init', '--name', 'gpu', '--cidr', 'auto']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const again = await world.rig(['doctor']);
    expect(lineOf(again.stdout, 'Security group')).toMatch(/^✔ .*admits 198\.51\.100\.23 \(198\.51\.100\.23\/32\)\.$/);
  });

  it('says the quota is unknown when Service Quotas fails, naming Service Quotas; --request-quota --yes files nothing and says how to check', async () => {
    world.cloud.proxy.inject({ action: 'GetServiceQuota', kind: 'server-error', times: Infinity });
    const env = { AWS_MAX_ATTEMPTS: '2' };
    const doctor = await world.rig(['doctor'], { env });
    const line = lineOf(doctor.stdout, 'On-demand vCPU quota');
    expect(line).toMatch(/^! On-demand vCPU quota for g4dn\.xlarge \(the market it launches in\): Unknown: "Running On-Demand G and VT instances" in us-east-1 could not be read\. AWS Service Quotas in us-east-1 kept failing on its side \(ServiceUnavailable, HTTP 503\) after 2 attempts\./);
    expect(line).not.toContain('AWS EC2');
    expect(line).toContain('Read it with `aws service-quotas get-service-quota --service-code ec2 --quota-code L-DB2E81BA --region us-east-1`');

    const request = await world.rig(['doctor', '--request-quota', '--yes'], { env });
    expect(request.code).toBe(1);
    expect(request.stdout).not.toMatch(/needs no request|no request to file/);
    expect(request.stderr).toMatch(/^error: Cannot tell whether "Running On-Demand G and VT instances" in us-east-1 needs a request, so nothing was filed: .*AWS Service Quotas in us-east-1 kept failing.* Fix: Read it with `aws service-quotas get-service-quota --service-code ec2 --quota-code L-DB2E81BA --region us-east-1`/m);
    expect(world.cloud.proxy.quotaRequests()).toEqual([]);
  });

  it('names Service Quotas when it refuses the caller', async () => {
    world.cloud.proxy.inject({ action: 'GetServiceQuota', kind: 'error', status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform: servicequotas:GetServiceQuota', times: Infinity });
    const doctor = await world.rig(['doctor', '--spot']);
    expect(lineOf(doctor.stdout, 'Spot vCPU quota')).toMatch(/^! Spot vCPU quota for g4dn\.xlarge \(the market it launches in\): Unknown: .* AWS Service Quotas refused: your AWS identity is not allowed to do this in us-east-1\. Fix: Ask your AWS administrator/);
  });

  it('warns while the ssh config does not include CloudRig\'s, and passes once `rig ssh-config --install` added it', async () => {
    const env = { CLOUDRIG_SSH_CONFIG: join(world.home, 'user-ssh', 'config') };
    const doctor = await world.rig(['doctor'], { env });
    expect(lineOf(doctor.stdout, 'ssh config Include')).toBe(
      `! ssh config Include: ${env.CLOUDRIG_SSH_CONFIG} does not include ${join(world.home, 'ssh_config')}. `
      + 'Fix: Run `rig ssh-config --install` (one Include line at the top of ~/.ssh/config; a backup is kept), so `ssh gpu`, scp, rsync and VS Code Remote-SSH reach it by name.');

    const install = await world.rig(['ssh-config', '--install'], { env });
    expect(install.code, install.stderr).toBe(0);
    const again = await world.rig(['doctor'], { env });
    expect(lineOf(again.stdout, 'ssh config Include')).toBe(`✔ ssh config Include: ${env.CLOUDRIG_SSH_CONFIG} includes ${join(world.home, 'ssh_config')}: \`ssh gpu\` works.`);
  });

  it('skips what needs AWS while the credentials fail, and says how to fix them', async () => {
    const doctor = await world.rig(['doctor', '--profile', 'no-such-profile']);
    expect(doctor.code).toBe(1);
    const lines = doctor.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^✗ AWS credentials: .* Fix: .*aws configure/);
    expect(lines.slice(1, -1)).toEqual([
      '- Region us-east-1: Skipped until the credentials work.',
      '- Default VPC in us-east-1: Skipped until the credentials work.',
      '- Image of gpu in us-east-1: Skipped until the credentials work.',
      '- On-demand vCPU quota for g4dn.xlarge (the market it launches in): Skipped until the credentials work.',
      '- Spot vCPU quota for g4dn.xlarge: Skipped until the credentials work.',
      '- Key pair cloudrig-gpu and its private key: Skipped until the credentials work.',
      '- Security group cloudrig-gpu admits your address on tcp/22: Skipped until the credentials work.',
    ]);
    expect(lines.at(-1)).toMatch(/^[✔!] ssh config Include: /);
    expect(doctor.stderr).toMatch(/^error: 1 check failed: AWS credentials\./m);
  });

  it('skips the workstation checks when there is none yet, saying rig init creates it', async () => {
    await world.reset();
    world.cloud.proxy.setQuota(G_ON_DEMAND, 8);
    const doctor = await world.rig(['doctor']);
    expect(doctor.code, doctor.stderr).toBe(0);
    for (const title of ['Image in us-east-1', 'Key pair and its private key', 'Security group admits your address on tcp/22']) {
      expect(lineOf(doctor.stdout, title)).toBe(`- ${title}: Skipped: there is no workstation yet. Run \`rig init --region us-east-1 --type g4dn.xlarge\` first.`);
    }
    expect(lineOf(doctor.stdout, 'On-demand vCPU quota')).toMatch(/^✔ .*allows 8 vCPUs; a g4dn\.xlarge needs 4\.$/);
  });

  it('--json prints every check with its id, status, title, detail and fix (structured and worded)', async () => {
    world.cloud.proxy.setQuota(G_ON_DEMAND, 8);
    world.cloud.proxy.setMyIp('198.51.100.23');
    const doctor = await world.rig(['doctor', '--json']);
    expect(doctor.code).toBe(1);
    const report = JSON.parse(doctor.stdout) as {
      region: string; instanceType: string; spot: boolean; workstation: string; ok: boolean;
      checks: { id: string; status: string; title: string; detail: string; fix: { action: string } | null; fixText: string | null }[];
    };
    expect(report).toMatchObject({ region: 'us-east-1', instanceType: 'g4dn.xlarge', spot: false, workstation: 'gpu', ok: false });
    expect(report.checks.map((check) => check.id)).toEqual([
      'credentials', 'region', 'default-vpc', 'image', 'quota-on-demand', 'quota-spot', 'key-pair', 'security-group', 'ssh-config',
    ]);
    for (const check of report.checks) {
      expect(['ok', 'warn', 'fail', 'skipped']).toContain(check.status);
      expect(check.title.length).toBeGreaterThan(0);
      expect(check.detail.length).toBeGreaterThan(0);
      expect(check.fix === null).toBe(check.fixText === null);
    }
    expect(report.checks.find((check) => check.id === 'security-group')).toMatchObject({
      status: 'fail',
      fix: { action: 'edit-workstation', name: 'gpu', field: 'ingressCidr', value: 'auto' },
      fixText: 'Run `rig init --name gpu --cidr auto`.',
    });
    expect(report.checks.find((check) => check.id === 'quota-on-demand')).toMatchObject({
      status: 'ok', fix: null, quota: { market: 'on-demand', inUse: true, value: 8, need: 4, quotaCode: G_ON_DEMAND },
    });
  });
});
