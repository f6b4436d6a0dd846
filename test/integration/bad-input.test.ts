import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyPairsCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORM } from '../../src/core/settings-view.js';
import { requestOfForm, specFromInput } from '../../src/core/app/workstation-setup.js';
import { createRouter, senderFrom, type Handlers, type Sender } from '../../src/main/ipc-router.js';
import { requestChannels } from '../../src/shared/contract.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';
import { useRigWorld } from '../support/rig-harness.js';
import { appFix } from '../../src/shared/app-fix-wording.js';

/**
 * The bad-input table: a typo or a hostile value must be refused before it touches anything.
 * Hostile or mistaken values through every door — `rig` flags, a hand-edited settings file, the
 * environment, and IPC payloads through the real router. Each must end in one `error: … Fix: …`
 * line (or an IPC error value with its fix), with no stack trace, and leave AWS (moto behind the
 * proxy) and the CloudRig home exactly as they were.
 */

const world = useRigWorld();

/** One row of the generated table. */
interface Row {
  readonly input: string;
  readonly where: 'flag' | 'settings' | 'env' | 'ipc';
  message: string;
  passed: boolean;
}
const rows: Row[] = [];

/** A valid settings file with workstation `gpu`, written by hand (no AWS resources behind it). */
function baseSettings(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    current: 'gpu',
    workstations: {
      gpu: {
        name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', image: { kind: 'ami', imageId: 'ami-dca37ea5' },
        diskGiB: 100, spot: false, sshUser: 'ubuntu', sshPort: 22, ingressCidr: '203.0.113.7/32',
      },
    },
  };
}

/** Settings with one field of workstation `gpu` replaced (or the whole object replaced). */
function gpuWith(field: string, value: unknown): Record<string, unknown> {
  const settings = baseSettings();
  const workstations = settings.workstations as Record<string, Record<string, unknown>>;
  workstations.gpu = { ...workstations.gpu, [field]: value };
  return settings;
}

interface CliCase {
  readonly input: string;
  readonly where: 'flag' | 'settings' | 'env';
  readonly args: readonly string[];
  /** Written to settings.json before the run: an object as JSON, a string as is. */
  readonly settings?: unknown;
  readonly env?: Record<string, string>;
  /** What the one error line must say. */
  readonly says: RegExp;
  /** Run as its own process, killed after this long: for an input that could hang `rig` (a FIFO). */
  readonly guardMs?: number;
}

const INIT = ['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge'];
const SCRATCH = await mkdtemp(join(tmpdir(), 'cloudrig-bad-input-'));
const A_FILE = join(SCRATCH, 'a-file');
await writeFile(A_FILE, 'not a directory');
// Setup scripts that are not what `--setup` takes: special files, and texts that would fail on the box or in the launch.
const A_FIFO = join(SCRATCH, 'setup-fifo.sh');
execFileSync('mkfifo', [A_FIFO]);
const A_FOLDER = join(SCRATCH, 'setup-folder');
await mkdir(A_FOLDER);
const CRLF_SCRIPT = join(SCRATCH, 'crlf-setup.sh');
await writeFile(CRLF_SCRIPT, '#!/bin/bash\r\npip install torch\r\n');
const BOUNDARY_SCRIPT = join(SCRATCH, 'boundary-setup.sh');
await writeFile(BOUNDARY_SCRIPT, '#!/bin/bash\necho ==CLOUDRIG-USER-DATA==\n');
const LARGE_SCRIPT = join(SCRATCH, 'large-setup.sh');
await writeFile(LARGE_SCRIPT, `#!/bin/bash\n${'# padding\n'.repeat(2_000)}`);
// Within the size a script may have, but random data compresses too little to fit beside the idle watchdog.
const RANDOM_SCRIPT = join(SCRATCH, 'random-setup.sh');
await writeFile(RANDOM_SCRIPT, `#!/bin/bash\n: '${randomBytes(12_000).toString('base64')}'\n`);

const cliCases: readonly CliCase[] = [
  // Flags.
  { where: 'flag', input: 'init --region mars-1', args: ['init', '--region', 'mars-1', '--type', 'g4dn.xlarge'], says: /Unknown region "mars-1".*Fix: --region: /i },
  { where: 'flag', input: 'init --type banana.xlarge', args: ['init', '--region', 'us-east-1', '--type', 'banana.xlarge'], says: /Unknown instance type/ },
  { where: 'flag', input: "init --type ''", args: ['init', '--region', 'us-east-1', '--type', ''], says: /Unknown instance type ""/ },
  { where: 'flag', input: "init --name 'bad name!'", args: [...INIT, '--name', 'bad name!'], says: /not a usable workstation name/ },
  { where: 'flag', input: 'init --name ../etc', args: [...INIT, '--name', '../etc'], says: /not a usable workstation name/ },
  { where: 'flag', input: 'init --name <40 capital letters>', args: [...INIT, '--name', 'A'.repeat(40)], says: /not a usable workstation name/ },
  { where: 'flag', input: 'init --ami ami-xyz', args: [...INIT, '--ami', 'ami-xyz'], says: /not an AMI id/ },
  { where: 'flag', input: 'init --ami-param relative/path', args: [...INIT, '--ami-param', 'relative/path'], says: /not an SSM parameter path/ },
  { where: 'flag', input: 'init --ami … --ami-param …', args: [...INIT, '--ami', 'ami-12345678', '--ami-param', '/x/y'], says: /cannot be used with/ },
  { where: 'flag', input: 'init --disk 4', args: [...INIT, '--disk', '4'], says: /"4" is not a whole number from 8/ },
  { where: 'flag', input: 'init --disk 1e9', args: [...INIT, '--disk', '1e9'], says: /not a whole number/ },
  { where: 'flag', input: 'init --disk ten', args: [...INIT, '--disk', 'ten'], says: /"ten" is not a whole number/ },
  { where: 'flag', input: 'init --ssh-port 0', args: [...INIT, '--ssh-port', '0'], says: /--ssh-port: pass a number from 1 to 65535/ },
  { where: 'flag', input: 'init --ssh-port 70000', args: [...INIT, '--ssh-port', '70000'], says: /--ssh-port/ },
  { where: 'flag', input: 'init --cidr 10.1.2.3/0', args: [...INIT, '--cidr', '10.1.2.3/0'], says: /host bits set.*0\.0\.0\.0\/0.*Fix: --cidr: pass 10\.1\.2\.3\/32/ },
  { where: 'flag', input: 'init --cidr 10.1.2.3/24', args: [...INIT, '--cidr', '10.1.2.3/24'], says: /host bits set.*Fix: --cidr: pass 10\.1\.2\.0\/24 for the whole network/ },
  { where: 'flag', input: 'init --cidr 0.0.0.0/0 (no --allow-anywhere)', args: [...INIT, '--cidr', '0.0.0.0/0'], says: /every address.*--allow-anywhere/ },
  { where: 'flag', input: 'init --cidr ::/0 --allow-anywhere', args: [...INIT, '--cidr', '::/0', '--allow-anywhere'], says: /IPv4 ranges only/ },
  { where: 'flag', input: 'init --cidr my-ip', args: [...INIT, '--cidr', 'my-ip'], says: /not an IPv4 CIDR/ },
  { where: 'flag', input: 'init --cidr 300.1.1.1/32', args: [...INIT, '--cidr', '300.1.1.1/32'], says: /not an IPv4 CIDR/ },
  {
    where: 'flag', input: 'init (no --region, none in AWS_REGION or an AWS config file)', args: ['init', '--type', 'g4dn.xlarge'],
    env: { AWS_REGION: '', AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials' },
    says: /No region given.*Fix: --region: pass one, e\.g\. `rig init --region us-east-1`/,
  },
  { where: 'flag', input: 'init --idle-minutes 4', args: [...INIT, '--idle-minutes', '4'], says: /"4" is not a whole number from 5 to 1440\. Fix: --idle-minutes: pass a number from 5 to 1440/ },
  { where: 'flag', input: 'init --bogus', args: ['init', '--bogus'], says: /unknown option '--bogus'.*Fix: see rig --help/ },
  { where: 'flag', input: 'rig frobnicate', args: ['frobnicate'], says: /unknown command 'frobnicate'.*Fix: / },
  { where: 'flag', input: "up 'bad name!'", args: ['up', 'bad name!'], settings: baseSettings(), says: /"bad name!" is not a usable workstation name.*Fix: NAME: / },
  { where: 'flag', input: "down --yes 'x;rm -rf ~'", args: ['down', '--yes', 'x;rm -rf ~'], settings: baseSettings(), says: /not a usable workstation name/ },
  { where: 'flag', input: 'status GPU', args: ['status', 'GPU'], settings: baseSettings(), says: /not a usable workstation name/ },
  { where: 'flag', input: 'up nosuch', args: ['up', 'nosuch'], settings: baseSettings(), says: /There is no workstation nosuch\. Known: gpu\. Fix: .*rig init --name nosuch/ },
  { where: 'flag', input: 'up --timeout 0', args: ['up', '--timeout', '0'], settings: baseSettings(), says: /--timeout: pass a number from 1/ },
  { where: 'flag', input: 'up --timeout abc', args: ['up', '--timeout', 'abc'], settings: baseSettings(), says: /"abc" is not a whole number/ },
  { where: 'flag', input: 'down (no --yes, no terminal)', args: ['down'], settings: baseSettings(), says: /without confirmation.*Fix: Pass --yes/ },
  { where: 'flag', input: 'images rm not-an-ami --yes', args: ['images', 'rm', 'not-an-ami', '--yes'], says: /not an AMI id/ },
  { where: 'flag', input: 'init --setup <a FIFO> (nothing writes to it)', args: [...INIT, '--setup', A_FIFO], guardMs: 20_000, says: /setup-fifo\.sh is a named pipe \(FIFO\), not a file\. Fix: --setup: name a shell script saved as a regular file/ },
  { where: 'flag', input: 'init --setup /dev/zero', args: [...INIT, '--setup', '/dev/zero'], guardMs: 20_000, says: /\/dev\/zero is a device, not a file\. Fix: --setup: / },
  { where: 'flag', input: 'init --setup <a folder>', args: [...INIT, '--setup', A_FOLDER], says: /setup-folder is a folder, not a file\. Fix: --setup: / },
  { where: 'flag', input: 'init --setup <a 20 KB script>', args: [...INIT, '--setup', LARGE_SCRIPT], says: /is 20012 bytes; a setup script may have at most 16384\. Fix: --setup: keep it to 16384 bytes/ },
  { where: 'flag', input: 'init --setup <16 KB of random base64>', args: [...INIT, '--setup', RANDOM_SCRIPT], says: /does not fit in the launch's user data: .* needs about \d+ bytes gzip-compressed, and EC2 takes at most 16384\. Fix: --setup: make it about \d+ bytes smaller once compressed/ },
  { where: 'flag', input: 'init --setup <a script with CRLF line endings>', args: [...INIT, '--setup', CRLF_SCRIPT], says: /has Windows \(CRLF\) line endings \(line 1\): bash on the box would fail on them\. Fix: --setup: convert it with `dos2unix \S+crlf-setup\.sh`, then pass it again\./ },
  { where: 'flag', input: 'init --setup <a script holding the user-data boundary>', args: [...INIT, '--setup', BOUNDARY_SCRIPT], says: /holds ==CLOUDRIG-USER-DATA== \(line 2\), the text CloudRig separates the parts of the launch's user data with\. Fix: --setup: remove the line 2 \(or that text from it\) from \S+boundary-setup\.sh, then pass it again\./ },
  { where: 'flag', input: "--home ''", args: ['--home', '', 'status'], says: /home is an empty path.*Fix: Pass a directory with --home/ },
  { where: 'flag', input: '--home <a file>', args: ['--home', A_FILE, 'status'], says: /it is a file, not a directory.*Fix: Pass a writable directory/ },
  { where: 'flag', input: '--home <a file>/sub', args: ['--home', join(A_FILE, 'sub'), ...INIT], says: /part of the path is a file, not a directory/ },
  { where: 'flag', input: '--home /proc/cloudrig', args: ['--home', '/proc/cloudrig', 'status'], says: /does not accept new directories/ },
  { where: 'flag', input: '--home /sys/kernel (not writable)', args: ['--home', '/sys/kernel', ...INIT], says: /cannot be used: you may not write there/ },
  // The settings file, edited by hand.
  { where: 'settings', input: 'settings.json is []', args: ['status'], settings: '[]', says: /settings\.json is damaged: it holds a list instead of an object.*mv / },
  { where: 'settings', input: 'settings.json is null', args: ['status'], settings: 'null', says: /is damaged: it holds null/ },
  { where: 'settings', input: 'settings.json is "text"', args: ['status'], settings: '"text"', says: /is damaged: it holds a string/ },
  { where: 'settings', input: 'settings.json is 42', args: ['up'], settings: '42', says: /is damaged: it holds a number/ },
  { where: 'settings', input: 'settings.json cut short', args: ['status'], settings: '{"workstations": {', says: /is damaged: it is not valid JSON/ },
  { where: 'settings', input: 'workstations is a list', args: ['status'], settings: { schemaVersion: 1, workstations: [] }, says: /bad value at workstations/ },
  { where: 'settings', input: 'schemaVersion 99', args: ['status'], settings: { schemaVersion: 99 }, says: /newer CloudRig.*Fix: Update CloudRig/ },
  { where: 'settings', input: "name 'Bad Name'", args: ['status'], settings: gpuWith('name', 'Bad Name'), says: /bad value at workstations\.gpu\.name/ },
  { where: 'settings', input: "region 'mars-1'", args: ['status'], settings: gpuWith('region', 'mars-1'), says: /no region "mars-1".*describe-regions/ },
  { where: 'settings', input: "diskGiB 'big'", args: ['status'], settings: gpuWith('diskGiB', 'big'), says: /workstations\.gpu\.diskGiB/ },
  { where: 'settings', input: 'diskGiB 2', args: ['up'], settings: gpuWith('diskGiB', 2), says: /workstations\.gpu\.diskGiB/ },
  { where: 'settings', input: 'sshPort 99999', args: ['status'], settings: gpuWith('sshPort', 99_999), says: /workstations\.gpu\.sshPort/ },
  { where: 'settings', input: "spot 'yes'", args: ['status'], settings: gpuWith('spot', 'yes'), says: /workstations\.gpu\.spot/ },
  { where: 'settings', input: "image kind 'disk'", args: ['status'], settings: gpuWith('image', { kind: 'disk' }), says: /workstations\.gpu\.image/ },
  { where: 'settings', input: 'ingressCidr 0.0.0.0/0 without ingressAnywhere', args: ['up'], settings: gpuWith('ingressCidr', '0.0.0.0/0'), says: /ingressCidr: 0\.0\.0\.0\/0 admits every address/ },
  { where: 'settings', input: 'ingressCidr 10.1.2.3/24', args: ['up'], settings: gpuWith('ingressCidr', '10.1.2.3/24'), says: /ingressCidr: must be an IPv4 range with no host bits/ },
  { where: 'settings', input: "ingressCidr 'anywhere'", args: ['status'], settings: gpuWith('ingressCidr', 'anywhere'), says: /workstations\.gpu\.ingressCidr/ },
  { where: 'settings', input: 'reminders.afterHours -1', args: ['status'], settings: { ...baseSettings(), reminders: { afterHours: -1 } }, says: /reminders\.afterHours/ },
  { where: 'settings', input: "myIpUrl 'not a url'", args: ['status'], settings: { ...baseSettings(), myIpUrl: 'not a url' }, says: /bad value at myIpUrl/ },
  // The environment.
  { where: 'env', input: 'AWS_REGION=mars-1 rig scan', args: ['scan'], env: { AWS_REGION: 'mars-1' }, says: /no region "mars-1".*AWS_REGION/ },
  { where: 'env', input: "AWS_ENDPOINT_URL='not a url'", args: ['status'], settings: baseSettings(), env: { AWS_ENDPOINT_URL: 'not a url' }, says: /endpoint override .* is not a URL/ },
  { where: 'env', input: 'AWS_ENDPOINT_URL=http://127.0.0.1:notaport', args: ['status'], settings: baseSettings(), env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:notaport' }, says: /is not a URL/ },
  { where: 'env', input: 'CLOUDRIG_MYIP_URL=nonsense (init --cidr auto)', args: INIT, env: { CLOUDRIG_MYIP_URL: 'nonsense' }, says: /Could not find your public IP address.*CLOUDRIG_MYIP_URL/ },
  { where: 'env', input: 'CLOUDRIG_HOME=/proc/cloudrig', args: ['status'], env: { CLOUDRIG_HOME: '/proc/cloudrig' }, says: /does not accept new directories/ },
  { where: 'env', input: 'CLOUDRIG_HOME=<a file>', args: ['status'], env: { CLOUDRIG_HOME: A_FILE }, says: /it is a file, not a directory/ },
];

/** Every file under `dir` with its bytes (missing dir: empty). */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    out[path] = entry.isFile() ? (await readFile(path)).toString('base64') : 'dir';
  }
  return out;
}

/** What CloudRig could have created in moto. */
async function awsResources(): Promise<{ instances: number; keyPairs: number; groups: number }> {
  const ec2 = world.ec2();
  try {
    const keys = await ec2.send(new DescribeKeyPairsCommand({}));
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({}));
    return {
      instances: (await world.instances()).length,
      keyPairs: keys.KeyPairs?.length ?? 0,
      groups: (groups.SecurityGroups ?? []).filter((g) => g.GroupName !== 'default').length,
    };
  } finally {
    ec2.destroy();
  }
}

/** Proxy request counts for actions that change something in AWS. */
function mutatingRequests(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([action]) => !/^(Describe|Get|List|checkip)/.test(action)));
}

const STACK = /\n\s+at |\bat .+:\d+:\d+\)|node:internal|Error: .*\n/;

describe('bad input through rig: one line with its fix, nothing created or changed', () => {
  let before: Awaited<ReturnType<typeof awsResources>>;
  beforeAll(async () => {
    before = await awsResources();
  });

  for (const c of cliCases) {
    it(`${c.where}: ${c.input}`, async () => {
      const row: Row = { input: c.input, where: c.where, message: '', passed: false };
      rows.push(row);
      const home = await mkdtemp(join(SCRATCH, 'home-'));
      if (c.settings !== undefined) {
        await writeFile(join(home, 'settings.json'), typeof c.settings === 'string' ? c.settings : JSON.stringify(c.settings, null, 2));
      }
      const homeBefore = await tree(home);
      const scratchBefore = await readdir(SCRATCH);
      world.cloud.proxy.resetCounts();

      const result = await world.rig(c.args, { env: { CLOUDRIG_HOME: home, ...c.env }, ...(c.guardMs === undefined ? {} : { timeoutMs: c.guardMs }) });
      row.message = result.stderr.trim();

      expect(result.code, result.stderr).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toMatch(STACK);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: .+ Fix: .+/);
      expect(lines[0]).toMatch(c.says);
      expect(await tree(home)).toEqual(homeBefore);
      expect(await readdir(SCRATCH)).toEqual(scratchBefore);
      expect(mutatingRequests(world.cloud.proxy.counts())).toEqual({});
      expect(await awsResources()).toEqual(before);
      row.passed = true;
    });
  }
});

/** The IPC cases: channel, payload, sender (default: the popover's top frame). */
interface IpcCase {
  readonly input: string;
  readonly channel: unknown;
  readonly payload: unknown;
  readonly sender?: Sender;
}

const popover: Sender = { url: 'app://cloudrig/index.html', isMainFrame: true };
const form = { ...DEFAULT_FORM };

const ipcCases: readonly IpcCase[] = [
  { input: "save: name 'Bad Name'", channel: 'workstation:save', payload: { ...form, name: 'Bad Name' } },
  { input: "save: region 'mars-1'", channel: 'workstation:save', payload: { ...form, region: 'mars-1' } },
  { input: "save: instanceType 'banana'", channel: 'workstation:save', payload: { ...form, instanceType: 'banana' } },
  { input: "save: imageKind 'disk'", channel: 'workstation:save', payload: { ...form, imageKind: 'disk' } },
  { input: "save: AMI id 'ubuntu'", channel: 'workstation:save', payload: { ...form, imageKind: 'ami', image: 'ubuntu' } },
  { input: 'save: diskGiB 2', channel: 'workstation:save', payload: { ...form, diskGiB: 2 } },
  { input: "save: diskGiB '100' (a string)", channel: 'workstation:save', payload: { ...form, diskGiB: '100' } },
  { input: "save: sshUser '-oProxyCommand=touch ~/owned'", channel: 'workstation:save', payload: { ...form, sshUser: '-oProxyCommand=touch ~/owned' } },
  { input: "save: sshHost 'a;touch b'", channel: 'workstation:save', payload: { ...form, sshHost: 'a;touch b' } },
  { input: 'save: sshPort 0', channel: 'workstation:save', payload: { ...form, sshPort: 0 } },
  { input: 'save: ingressCidr 10.1.2.3/0', channel: 'workstation:save', payload: { ...form, ingressCidr: '10.1.2.3/0' } },
  { input: 'save: ingressCidr 0.0.0.0/0 unconfirmed', channel: 'workstation:save', payload: { ...form, ingressCidr: '0.0.0.0/0' } },
  { input: 'save: autoStopMinutes 1', channel: 'workstation:save', payload: { ...form, autoStopMinutes: 1 } },
  { input: 'save: setupScript with CRLF line endings', channel: 'workstation:save', payload: { ...form, setupScript: '#!/bin/bash\r\nnvidia-smi\r\n' } },
  { input: 'save: setupScript holding the user-data boundary', channel: 'workstation:save', payload: { ...form, setupScript: '#!/bin/bash\n# ==CLOUDRIG-USER-DATA==\n' } },
  { input: 'save: an extra field', channel: 'workstation:save', payload: { ...form, admin: true } },
  { input: 'save: {}', channel: 'workstation:save', payload: {} },
  { input: "terminate: saveImage 'yes'", channel: 'workstation:terminate', payload: { saveImage: 'yes' } },
  { input: 'start: a payload where none is taken', channel: 'workstation:start', payload: { instanceId: 'i-1' } },
  { input: 'credentials: lower-case key id', channel: 'credentials:save', payload: { accessKeyId: 'akia-lower', secretAccessKey: 'x'.repeat(40) } },
  { input: "settings: profile 'x; rm -rf ~'", channel: 'settings:update', payload: { profile: 'x; rm -rf ~' } },
  { input: 'settings: terminal 5', channel: 'settings:update', payload: { terminal: 5 } },
  { input: 'quota: desired -4', channel: 'quota:request', payload: { region: 'us-east-1', quotaCode: 'L-DB2E81BA', desired: -4 } },
  { input: 'link: a URL as target', channel: 'link:open', payload: { target: 'https://evil.example', region: 'us-east-1' } },
  { input: "catalog: region ''", channel: 'catalog:list', payload: { region: '' } },
  { input: "reminder: action 'delete'", channel: 'reminder:answer', payload: { action: 'delete' } },
  { input: 'unknown channel workstation:format-disk', channel: 'workstation:format-disk', payload: undefined },
  { input: 'sender: a sub-frame', channel: 'workstation:stop', payload: undefined, sender: { url: 'app://cloudrig/index.html', isMainFrame: false } },
  { input: 'sender: another origin', channel: 'workstation:stop', payload: undefined, sender: { url: 'https://evil.example/', isMainFrame: true } },
];

describe('bad input through IPC: refused by the router or by core with a fix, no handler runs with it', () => {
  // The real router; `workstation:save` runs core's own form validation (specFromInput) before anything else.
  const reached: string[] = [];
  const handlers = Object.fromEntries(Object.keys(requestChannels).map((channel) => [channel, (payload: unknown) => {
    if (channel === 'workstation:save') specFromInput(requestOfForm(payload as typeof form), null, false);
    reached.push(channel);
    return null;
  }])) as unknown as Handlers;
  const router = createRouter(handlers, senderFrom('app://cloudrig'));

  for (const c of ipcCases) {
    it(`ipc: ${c.input}`, async () => {
      const row: Row = { input: c.input, where: 'ipc', message: '', passed: false };
      rows.push(row);
      const result = await router.handle(c.channel, c.sender ?? popover, c.payload);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      row.message = `${result.error.message} Fix: ${appFix(result.error.fix)}`;
      expect(result.error.message.length).toBeGreaterThan(0);
      expect(appFix(result.error.fix).length).toBeGreaterThan(0);
      expect(row.message).not.toContain('\n');
      expect(row.message).not.toMatch(STACK);
      expect(reached).toEqual([]);
      row.passed = true;
    });
  }
});

afterAll(async ({}, file) => {
  await rm(SCRATCH, { recursive: true, force: true });
  const passed = rows.filter((r) => r.passed).length;
  const stackTraces = rows.filter((r) => STACK.test(r.message)).length;
  const table = markdownTable(['Input', 'Where', 'Message', 'Passed'], rows.map((r) => [r.input, r.where, r.message.replaceAll(SCRATCH, '<tmp>'), r.passed ? 'yes' : 'NO']));
  await writeReliabilitySection('bad-input', file, [
    `Generated by \`test/integration/bad-input.test.ts\`: ${rows.length} cases, ${passed} passed, stack traces ${stackTraces}.`,
    'A case passes when it ends in one line `error: … Fix: …` (IPC: an error value with its fix), exit code non-zero, nothing on',
    'stdout, no stack trace, the home byte-for-byte unchanged with no new file, no mutating AWS request at the proxy, and the same',
    'instances, key pairs and security groups in moto.',
    '',
    table,
  ].join('\n'));
});
