import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliErrorText, cliFix } from '../../src/cli/fix-wording.js';
import { billedFailure } from '../../src/core/billed-failure.js';
import { CloudRigError, toErrorInfo } from '../../src/core/errors.js';
import { USER_DATA_BOUNDARY, validateSetupScript } from '../../src/core/validate.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import {
  ERROR_CODES,
  ErrorCodeSchema,
  ErrorInfoSchema,
  FixStepSchema,
  isErrorCode,
  type Fix,
  type FixAction,
  type FixStep,
} from '../../src/shared/errors.js';
import { thenFix } from '../../src/shared/fix-steps.js';

/** One step of every action. Typed so that a new action without a sample here fails to compile. */
const SAMPLES: { readonly [A in FixAction]: Extract<FixStep, { action: A }> } = {
  retry: { action: 'retry', reason: 'network' },
  'report-bug': { action: 'report-bug' },
  'correct-input': { action: 'correct-input', field: 'region', hint: 'use a region code such as us-east-1.' },
  'raise-disk': { action: 'raise-disk', minGiB: 75 },
  'confirm-anywhere': { action: 'confirm-anywhere' },
  'edit-workstation': { action: 'edit-workstation', name: 'gpu', field: 'ingressCidr', value: 'auto' },
  'give-own-address': { action: 'give-own-address' },
  'create-workstation': { action: 'create-workstation', name: null },
  'choose-workstation': { action: 'choose-workstation', names: ['gpu', 'big'], missing: null },
  'adopt-workstation': { action: 'adopt-workstation', name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge' },
  'terminate-first': { action: 'terminate-first', name: 'gpu' },
  'settle-before-removal': { action: 'settle-before-removal', name: 'gpu', holds: 'instance' },
  start: { action: 'start', name: 'gpu' },
  'nothing-to-stop': { action: 'nothing-to-stop', name: 'gpu' },
  'stop-billing': { action: 'stop-billing', name: 'gpu', instanceId: 'i-0123456789abcdef0', region: 'us-east-1' },
  'find-launch': { action: 'find-launch', name: 'gpu' },
  'check-launch': { action: 'check-launch', name: null },
  'terminate-duplicates': { action: 'terminate-duplicates', name: 'gpu', keep: 'i-0123456789abcdef0' },
  'after-interruption': { action: 'after-interruption', name: 'gpu', stopped: true },
  'spot-interrupted': { action: 'spot-interrupted', name: 'gpu', stopped: true },
  'wait-longer': { action: 'wait-longer', state: 'pending' },
  'check-ssh-access': { action: 'check-ssh-access', name: 'gpu', sshUser: 'ubuntu', waiting: true },
  'check-workstation-answers': { action: 'check-workstation-answers', name: 'gpu' },
  'retry-image': { action: 'retry-image', name: 'gpu' },
  'wait-for-image': { action: 'wait-for-image', name: 'gpu' },
  'review-image': { action: 'review-image', name: 'gpu', imageId: 'ami-0123456789abcdef0' },
  'list-images': { action: 'list-images', name: 'gpu' },
  'archive-again': { action: 'archive-again', name: 'gpu' },
  'forget-archive': { action: 'forget-archive', name: 'gpu', imageId: 'ami-0123456789abcdef0' },
  'request-quota': { action: 'request-quota', region: 'us-east-1', quotaCode: 'L-DB2E81BA', quotaName: 'Running On-Demand G and VT instances', desired: 4 },
  'other-capacity': { action: 'other-capacity', instanceType: 'g4dn.xlarge', similar: 'g5.xlarge', otherMarket: 'spot' },
  'configure-credentials': { action: 'configure-credentials', profile: 'work', problem: 'expired' },
  'grant-permissions': { action: 'grant-permissions' },
  'sync-clock': { action: 'sync-clock' },
  'start-jupyter': { action: 'start-jupyter', name: 'gpu', port: 8888 },
  'inspect-box-output': { action: 'inspect-box-output', name: 'gpu', command: 'nvidia-smi' },
  'reset-launch': { action: 'reset-launch' },
  'recreate-key': { action: 'recreate-key', name: null },
  'replace-key': { action: 'replace-key', name: 'gpu' },
  'restore-key': { action: 'restore-key', path: '/home/me/.config/CloudRig/keys/cloudrig-gpu.pem' },
  'delete-key-pair': { action: 'delete-key-pair', keyName: 'cloudrig-gpu', region: 'us-east-1' },
  'check-image': { action: 'check-image', region: 'us-east-1' },
  'choose-image': { action: 'choose-image', parameter: null },
  'choose-region': { action: 'choose-region' },
  'create-default-vpc': { action: 'create-default-vpc', region: 'us-east-1' },
  'choose-home': { action: 'choose-home', problem: 'unusable', suggested: '/home/me/.config/CloudRig' },
  'move-home': { action: 'move-home' },
  'pick-terminal': { action: 'pick-terminal', installed: ['xterm'] },
  'install-terminal': { action: 'install-terminal', linux: true },
  'make-writable': { action: 'make-writable', path: '/home/me/.ssh/config', verb: 'add', line: 'Include x' },
  'install-ssh-config': { action: 'install-ssh-config' },
  'include-ssh-config': { action: 'include-ssh-config', name: 'gpu' },
  'rerun-init': { action: 'rerun-init', name: 'gpu' },
  'enable-region': { action: 'enable-region', region: 'ap-east-1' },
  'check-quota': { action: 'check-quota', region: 'us-east-1', quotaCode: 'L-DB2E81BA', quotaName: 'Running On-Demand G and VT instances' },
  confirm: { action: 'confirm' },
  'replace-stranded-instance': { action: 'replace-stranded-instance', name: 'gpu' },
  'fix-setup-script': { action: 'fix-setup-script', name: 'gpu', problem: 'failed', log: '/var/lib/cloudrig/setup/setup.log' },
  'choose-push-folder': { action: 'choose-push-folder', name: 'gpu', path: '/home/me/projects/model' },
  'follow-setup': { action: 'follow-setup', name: 'gpu', log: '/var/lib/cloudrig/setup/setup.log' },
  'resize-by-relaunch': { action: 'resize-by-relaunch', name: 'gpu', instanceType: 'g5.xlarge' },
  'stop-to-resize': { action: 'stop-to-resize', name: 'gpu', instanceType: 'g5.xlarge' },
  'confirm-driver': { action: 'confirm-driver', name: 'gpu', instanceType: 'g5.xlarge' },
  'resize-for-capacity': { action: 'resize-for-capacity', name: 'gpu', instanceType: 'g4dn.2xlarge', similarGpu: 'NVIDIA T4' },
  'copy-by-hand': { action: 'copy-by-hand', text: 'ssh -i /home/me/.config/CloudRig/keys/cloudrig-gpu.pem ubuntu@198.51.100.4' },
  'open-link-yourself': { action: 'open-link-yourself', url: 'https://console.aws.amazon.com/ec2/home?region=us-east-1' },
  'setup-not-running': { action: 'setup-not-running', name: 'gpu' },
  'reopen-tunnel': { action: 'reopen-tunnel', name: 'gpu', localPort: 8888 },
  'wait-for-address': { action: 'wait-for-address', name: 'gpu' },
  'refresh-scan': { action: 'refresh-scan' },
  'push-by-path': { action: 'push-by-path', name: 'gpu' },
  'pick-push-folder': { action: 'pick-push-folder', name: 'gpu' },
  reconnect: { action: 'reconnect', name: 'gpu' },
  'use-another-port': { action: 'use-another-port', localPort: 8888, remotePort: 8888, reopening: false },
  'copy-ssh-command': { action: 'copy-ssh-command' },
  'use-aws-profile': { action: 'use-aws-profile' },
  'quota-request-open': { action: 'quota-request-open', market: 'spot' },
  'manage-in-aws': { action: 'manage-in-aws' },
  'fix-endpoint': { action: 'fix-endpoint' },
  'make-key-private': { action: 'make-key-private', path: '/home/me/.config/CloudRig/keys/cloudrig-gpu.pem' },
  'check-remote-path': { action: 'check-remote-path', name: 'gpu' },
  'avoid-links': { action: 'avoid-links' },
  'inspect-unsafe-names': { action: 'inspect-unsafe-names', name: 'gpu', count: 2 },
  'edit-ssh-config-target': { action: 'edit-ssh-config-target', target: '/home/me/dotfiles/ssh/config', verb: 'add', line: 'Include x' },
  'ssh-config-not-a-file': { action: 'ssh-config-not-a-file' },
  'make-folder-writable': { action: 'make-folder-writable', path: '/home/me/.ssh', file: '/home/me/.ssh/config', verb: 'remove', line: 'Include x' },
  'fix-access': { action: 'fix-access', path: '/home/me/.ssh/config', problem: 'permission', folder: false },
  'move-file-away': { action: 'move-file-away', path: '/home/me/.config/CloudRig/keys' },
  'forget-host-key': { action: 'forget-host-key', name: 'gpu', command: "rm '/home/me/.config/CloudRig/known_hosts/gpu'", instanceId: 'i-0123456789abcdef0', replaced: true },
  'check-remote-port': { action: 'check-remote-port', name: 'gpu', port: 8888 },
  'enable-sftp': { action: 'enable-sftp' },
  'update-cloudrig': { action: 'update-cloudrig' },
  'repair-settings': { action: 'repair-settings', path: '/home/me/.config/CloudRig/settings.json', field: 'workstations.gpu.diskGiB' },
  'rename-settings-field': { action: 'rename-settings-field', path: '/home/me/.config/CloudRig/settings.json', field: 'seedHostkey', meant: 'seedHostKey', where: 'workstations.gpu' },
  'correct-setting': { action: 'correct-setting', field: 'workstations.gpu.diskGiB' },
  'allow-automation': { action: 'allow-automation' },
  'install-editor': { action: 'install-editor' },
  'check-editor': { action: 'check-editor', editor: 'code', uri: 'vscode-remote://ssh-remote+gpu/home/ubuntu' },
  'fix-checks': { action: 'fix-checks', then: 'request-quota' },
  'copy-usage': { action: 'copy-usage', direction: 'pull' },
  'pull-into-new-folder': { action: 'pull-into-new-folder', remote: '~/work' },
  'install-ssh-client': { action: 'install-ssh-client' },
  'answer-questions': { action: 'answer-questions' },
  'name-workstation': { action: 'name-workstation', name: 'gpu', command: 'rig down gpu --yes' },
  'restart-app': { action: 'restart-app' },
  'correct-form': { action: 'correct-form' },
  reinstall: { action: 'reinstall' },
  'list-gpu-types': { action: 'list-gpu-types', architecture: 'x86_64' },
  'save-setup-image': { action: 'save-setup-image', name: 'gpu' },
  'stop-later': { action: 'stop-later', name: 'gpu' },
};

const STEPS = Object.values(SAMPLES);

describe('fix wording, one function per face', () => {
  it('has a sample for every action the schema knows, so both faces are checked on each', () => {
    const actions = FixStepSchema.options.map((option) => option.shape.action.value).sort();
    expect(Object.keys(SAMPLES).sort()).toEqual(actions);
  });

  it.each(STEPS.map((step) => [step.action, step] as const))('words %s for both faces', (_action, step) => {
    expect(FixStepSchema.parse(step)).toEqual(step);
    expect(cliFix(step).length).toBeGreaterThan(10);
    expect(appFix(step).length).toBeGreaterThan(10);
  });

  it('the app never names a rig command or a command-line flag', () => {
    for (const step of STEPS) {
      const text = appFix(step);
      expect(text, step.action).not.toMatch(/`rig\b|\brig (init|up|down|stop|status|doctor|images|ssh)\b/);
      expect(text, step.action).not.toMatch(/(^|\s)--[a-z]/);
    }
  });

  it('the CLI names the command to run, the app where to click', () => {
    const cidr = SAMPLES['edit-workstation'];
    expect(cliFix(cidr)).toBe('Run `rig init --name gpu --cidr auto`.');
    expect(appFix(cidr)).toBe('Set Settings → Workstation → Allowed addresses (CIDR) to auto and save.');
    expect(cliFix(SAMPLES['request-quota'])).toContain('run `rig doctor --request-quota`');
    expect(appFix(SAMPLES['request-quota'])).toContain('Settings → Account checks → Request');
    expect(cliFix(SAMPLES['correct-input'])).toBe('--region: use a region code such as us-east-1.');
    expect(appFix(SAMPLES['correct-input'])).toBe('Settings → Workstation → Region: use a region code such as us-east-1.');
  });

  it('a value to give again after correcting it: core says so as data, each face says how (pass it again, save again)', () => {
    const fixOf = (run: () => unknown): Fix => {
      try {
        run();
      } catch (error) {
        return toErrorInfo(error).fix;
      }
      throw new Error('not refused');
    };
    const boundary = `echo hi\n${USER_DATA_BOUNDARY}\n`;
    const fromForm = fixOf(() => validateSetupScript(boundary));
    expect(fromForm).toEqual({ action: 'correct-input', field: 'setupScript', hint: 'remove the line 2 (or that text from it)', again: true });
    expect(cliFix(fromForm)).toBe('--setup: remove the line 2 (or that text from it), then pass it again.');
    expect(appFix(fromForm)).toBe('Settings → Workstation → Setup script: remove the line 2 (or that text from it), then save again.');
    const fromFile = fixOf(() => validateSetupScript('echo hi\r\n', 'setupScript', 'my setup.sh'));
    expect(cliFix(fromFile)).toBe("--setup: convert it with `dos2unix 'my setup.sh'`, then pass it again.");
    expect(appFix(fromFile)).toBe("Settings → Workstation → Setup script: convert it with `dos2unix 'my setup.sh'`, then save again.");
    // Without `again`, the hint is worded as it is.
    expect(appFix({ action: 'correct-input', field: 'gpuModel', hint: 'give a GPU model such as A10G.' })).toBe('the GPU filter of the GPU list: give a GPU model such as A10G.');
  });

  it('a command that needs a word from the user says which word, and a path in a command is quoted for the shell', () => {
    // `rig push gpu` alone is refused: it takes the folder to push.
    expect(cliFix(SAMPLES['choose-push-folder'])).toContain('`rig push gpu FOLDER`');
    expect(cliFix({ ...SAMPLES['make-writable'], path: '/Users/Jo Smith/.ssh/config' })).toContain("`chmod u+w '/Users/Jo Smith/.ssh/config'`");
  });

  it('points to the debug log only from the CLI, which has one (rig --debug, CLOUDRIG_DEBUG)', () => {
    const unexpected = toErrorInfo(new Error('socket hang up'));
    expect(unexpected).toMatchObject({ code: 'Unexpected', fix: { action: 'report-bug' } });
    expect(cliFix(unexpected.fix)).toContain('rig --debug status');
    expect(appFix(unexpected.fix)).not.toMatch(/debug/i);
  });

  it('words a fix of several steps as sentences in order', () => {
    const error = billedFailure(new CloudRigError('EndpointUnreachable', 'Could not reach AWS.', { action: 'retry', reason: 'network' }), {
      workstation: 'gpu', region: 'us-east-1', instanceId: 'i-0123456789abcdef0', state: 'running', instanceType: 'g4dn.xlarge', spot: false,
    });
    expect(error.fix).toEqual(thenFix({ action: 'retry', reason: 'network' }, SAMPLES['stop-billing']));
    expect(cliErrorText(error)).toMatch(/Fix: Check your network connection, .*then run the command again\. To stop the billing: `rig stop gpu` \(keeps the disk\) or `rig down gpu`/);
    expect(appFix(error.fix)).toMatch(/then try again\. To stop the billing: press Stop \(keeps the disk\) or Terminate… in the popover/);
  });

  it('refuses a step it has no words for instead of printing nothing', () => {
    const bogus = { action: 'reboot' } as unknown as FixStep;
    expect(() => cliFix(bogus)).toThrow(/No wording for fix/);
    expect(() => appFix(bogus)).toThrow(/No wording for fix/);
  });

  it('a fix both faces can act on alike is worded the same by both', () => {
    const error = new CloudRigError('AppDamaged', 'The tray icons are missing.', { action: 'reinstall' });
    expect(cliFix(error.fix)).toBe(appFix(error.fix));
    expect(cliFix(error.fix)).toBe('Reinstall CloudRig from its installer.');
  });
});

describe('error codes', () => {
  it('are a closed list without repeats', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect(isErrorCode('VcpuLimitExceeded')).toBe(true);
    expect(isErrorCode('InvalidKeyPair.Duplicate')).toBe(false);
    expect(ErrorCodeSchema.safeParse('SomethingElse').success).toBe(false);
  });

  it('every code raised in src/ is one of them (the constructor takes only ErrorCode; this catches casts)', () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((file) => /\.tsx?$/.test(file));
    const raised = new Set<string>();
    for (const file of files) {
      for (const match of readFileSync(join('src', file), 'utf8').matchAll(/(?:new CloudRigError\(|\bcode: )'([\w.]+)'/g)) {
        // CloudRig's codes are PascalCase; errno codes (ENOENT) and zod's issue codes are not errors it raises.
        if (/^[A-Z][a-z]/.test(match[1]!)) raised.add(match[1]!);
      }
    }
    expect(raised.size).toBeGreaterThan(40);
    expect([...raised].filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('an error crosses IPC as data: its info survives JSON and the schema', () => {
    const error = new CloudRigError('VcpuLimitExceeded', 'Your vCPU quota is too low.', SAMPLES['request-quota']);
    const info = ErrorInfoSchema.parse(JSON.parse(JSON.stringify(error.toInfo())));
    expect(info).toEqual({ code: 'VcpuLimitExceeded', message: 'Your vCPU quota is too low.', fix: SAMPLES['request-quota'] });
  });
});
