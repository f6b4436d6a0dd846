import { shellQuote } from '../core/app/face.js';
import type { ErrorInfo, Fix, FixStep, InputField } from '../shared/errors.js';
import { fixSteps, joinSteps, unworded } from '../shared/fix-steps.js';
import { byHand, inputHint, isSameWorded, sameWording } from '../shared/same-fix-wording.js';
import { printable } from '../shared/untrusted-text.js';

/** How `rig` names each input: its flag or argument. */
export const CLI_INPUT_NAMES: { readonly [F in InputField]: string } = {
  name: '--name',
  nameArgument: 'NAME',
  region: '--region',
  instanceType: '--type',
  image: '--ami',
  imageParameter: '--ami-param',
  imageIdArgument: 'IMAGE_ID',
  instanceTypeArgument: 'TYPE',
  diskGiB: '--disk',
  sshUser: '--ssh-user',
  sshHost: '--ssh-host',
  sshPort: '--ssh-port',
  ingressCidr: '--cidr',
  timeout: '--timeout',
  idleMinutes: '--idle-minutes',
  autoStop: 'autoStop in the workstation settings',
  snoozeHours: '--hours',
  folder: 'PATH',
  localPort: '--port',
  statsInterval: '--interval',
  setupScript: '--setup',
  nodes: '--nodes',
  gpuSpec: '--gpus',
  archiveAfterDays: '--archive-after-days',
  gpuModel: '--gpu',
  forwards: 'PORT…',
};

const RETRY: { readonly [R in Extract<FixStep, { action: 'retry' }>['reason']]: string } = {
  aborted: 'Run the command again to keep waiting; nothing was undone.',
  'lock-lost': 'Run the command again; it finds what was already done by its tags.',
  busy: 'Wait for it to finish (or end it), then try again.',
  throttled: 'Wait a minute and try again; close other tools that call the EC2 API in a loop.',
  'aws-unavailable': 'This is usually brief: wait a minute and run the command again (https://health.aws.amazon.com shows outages).',
  network: 'Check your network connection, VPN or proxy (and AWS_ENDPOINT_URL if you set one), then run the command again.',
  'aws-said': 'Check the message above; run the command again once it is fixed.',
  snooze: 'Check that the workstation is running and answers ssh, then snooze again.',
  'copy-interrupted': 'Run the same command again to finish it.',
  capacity: 'Try again in a few minutes.',
};

const profileFlag = (profile: string | null): string => (profile ? ` --profile ${profile}` : '');

/** One step as `rig` says it: the command to run. */
function cliStep(step: FixStep): string {
  if (isSameWorded(step)) return sameWording(step);
  switch (step.action) {
    case 'retry': return RETRY[step.reason];
    case 'report-bug': return 'Try again; if it keeps happening, run it again with --debug (e.g. rig --debug status) and report what it prints.';
    case 'correct-input': return `${CLI_INPUT_NAMES[step.field]}: ${inputHint(step, 'pass it again')}`;
    case 'raise-disk': return `--disk: pass --disk ${step.minGiB} or more (rig init … --disk ${step.minGiB}).`;
    case 'confirm-anywhere': return '--cidr: pass your own address range (or auto), or add --allow-anywhere if you really mean everyone.';
    case 'edit-workstation': return `Run \`rig init${step.name ? ` --name ${step.name}` : ''} ${CLI_INPUT_NAMES[step.field]} ${step.value}\`.`;
    case 'give-own-address': return 'Pass --cidr with your address, e.g. --cidr 203.0.113.7/32, or set CLOUDRIG_MYIP_URL to a service that answers with it.';
    case 'create-workstation': return step.name === null
      ? 'Run `rig init --region us-east-1 --type g4dn.xlarge` first.'
      : `Create it with \`rig init --name ${step.name} --region us-east-1 --type g4dn.xlarge\`.`;
    case 'choose-workstation':
      if (step.missing === null) return `Name the one you mean after the command, e.g. \`rig up ${step.names[0] ?? 'NAME'}\`.`;
      return step.names.length
        ? `Name one of ${step.names.join(', ')}; or create ${step.missing} with \`rig init --name ${step.missing} --region us-east-1 --type g4dn.xlarge\`.`
        : `Create it with \`rig init --name ${step.missing} --region us-east-1 --type g4dn.xlarge\`.`;
    case 'adopt-workstation':
      return `Take it over from here: \`rig init --name ${step.name} --region ${step.region} --type ${step.instanceType} --new-key\` (its private key went with the lost home; if you still have the key file, copy it into this home's keys/ and leave out --new-key), then \`rig status\` or \`rig down ${step.name} --yes\` to end it.`;
    case 'settle-before-removal': return step.holds === 'instance'
      ? `Pass --terminate to terminate it too (its disk is deleted); to keep its files, run \`rig down ${step.name} --save-image --yes\` first.`
      : `Pass --delete-images to delete them too, or --keep-images to leave them in AWS (their snapshots stay billed; a workstation named ${step.name} made again launches from the newest).`;
    case 'terminate-first': return `Terminate the instance first (\`rig down ${step.name} --save-image\` keeps your files), then change the region.`;
    case 'start': return `Start it with \`rig up ${step.name}\`.`;
    case 'nothing-to-stop': return 'Nothing is running, so nothing is billed by the hour. `rig up` launches one.';
    case 'stop-billing':
      return `To stop the billing: \`rig stop ${step.name}\` (keeps the disk) or \`rig down ${step.name}\` (terminates it); if AWS stays unreachable, stop ${step.instanceId} in the EC2 console (${step.region}).`;
    case 'find-launch':
      return `Then \`rig up ${step.name}\` finds that instance (it reuses the same launch token, so it cannot start a second one), \`rig status ${step.name}\` shows it, and \`rig down ${step.name}\` terminates it.`;
    case 'check-launch': return 'Run `rig status` to see whether it exists, then `rig up` again to go on with it (no second one is launched), or `rig down` to end it.';
    case 'terminate-duplicates':
      return `\`rig down ${step.name}\` terminates all of them; or keep the oldest (${step.keep}) and terminate the others in the EC2 console.`;
    case 'after-interruption': return step.stopped
      ? `It is not billed for compute once stopped. Start it again with \`rig up ${step.name}\`; if it keeps stopping, check the idle auto-stop and any other tool managing it.`
      : `It is no longer billed by the hour. \`rig up ${step.name}\` launches a new one (from the newest saved image, if any); \`rig images ${step.name}\` lists them.`;
    case 'spot-interrupted': return step.stopped
      ? `Only its disk is billed now, and its persistent spot request starts it again by itself when AWS has capacity: \`rig up ${step.name}\` waits for that. Not to depend on spot capacity: \`rig down ${step.name} --save-image\`, then \`rig init --name ${step.name} --on-demand\` (or another region with --region) and \`rig up ${step.name}\`.`
      : `It is no longer billed. \`rig up ${step.name}\` tries spot again (in each zone of the region); or switch to on-demand, which AWS does not take back (\`rig init --name ${step.name} --on-demand\`), or to another region (\`rig init --name ${step.name} --region …\`).`;
    case 'wait-longer': return `The instance is left as it is (${step.state}). Run the command again to keep waiting, or pass a longer --timeout.`;
    case 'check-ssh-access': return step.waiting
      ? `Run \`rig up ${step.name}\` again to keep waiting. If ssh still does not answer, check that your address is still admitted (\`rig init --name ${step.name} --cidr auto\` re-admits it) and that the image lets ${step.sshUser} in with the workstation key.`
      : `Wait until \`rig status ${step.name}\` says ready (\`rig up\` waits for it); if it lasts, check that your IP is still admitted: rig init --name ${step.name} --cidr auto.`;
    case 'check-workstation-answers': return `Check that the workstation answers (\`rig status${step.name ? ` ${step.name}` : ''}\`), then try again.`;
    case 'inspect-box-output': {
      const ssh = `rig ssh${step.name ? ` ${step.name}` : ''}`;
      return step.command
        ? `See the start of what it prints with \`${ssh} -- ${step.command} | head -n 40\` and fix what makes it print without end.`
        : `Log in with \`${ssh}\` and look for what prints without end (a tool stuck in a loop, a log that never stops).`;
    }
    case 'retry-image': return 'Try `rig down --save-image` again, or `rig down` to terminate without an image.';
    case 'wait-for-image': return 'Wait for the image (rig images), then run rig down again.';
    case 'review-image':
      return `See the image with \`rig images ${step.name}\`; run \`rig down --save-image\` again, or delete it with \`rig images rm ${step.imageId}\`.`;
    case 'list-images': return `List them with \`rig images ${step.name}\`.`;
    case 'archive-again': return `Run \`rig archive ${step.name} --yes\` again: it reuses the image and terminates the instance only once the image is available.`;
    case 'forget-archive': return `Run \`rig archive ${step.name} --forget\`: the next \`rig up ${step.name}\` then launches from the workstation's own image (what ${step.imageId} held is gone).`;
    case 'request-quota':
      return `Request at least ${step.desired} vCPUs for "${step.quotaName}" (quota ${step.quotaCode}): run \`rig doctor${step.instanceType ? ` --type ${step.instanceType}` : ''} --request-quota${step.market ? ` --${step.market}` : ''}\`, or open Service Quotas → Amazon EC2 in ${step.region}.`;
    case 'check-quota':
      return `Read it with \`aws service-quotas get-service-quota --service-code ec2 --quota-code ${step.quotaCode} --region ${step.region}\` (or in the console: Service Quotas → Amazon EC2 → "${step.quotaName}").`;
    case 'other-capacity': {
      const init = `rig init${step.name ? ` --name ${step.name}` : ''}`;
      const market = step.otherMarket === 'spot' ? `the other market, spot (\`${init} --spot\`), ` : step.otherMarket === 'on-demand' ? `the other market, on-demand (\`${init} --on-demand\`), ` : '';
      if (step.otherMarket === null) return `Try again in a few minutes, pick another region (rig init --region …) or another GPU type (\`${init} --type ${step.similar ?? 'g5.xlarge'}\`).`;
      const similar = !step.similar ? ''
        : step.similarGpu ? `a similar GPU type, ${step.similar} (the same ${step.similarGpu}; \`${init} --type ${step.similar}\`), `
        : `a similar GPU type (\`${init} --type ${step.similar}\`), `;
      return `Try again in a few minutes, or choose: ${similar}${market}or another region.`;
    }
    case 'configure-credentials': return {
      missing: 'Run `aws configure` (or `aws sso login`), set AWS_PROFILE, or pass --profile NAME.',
      expired: `Refresh them (e.g. \`aws sso login${profileFlag(step.profile)}\`) and try again.`,
      invalid: `Check the keys with \`aws sts get-caller-identity${profileFlag(step.profile)}\` and fix them with \`aws configure${profileFlag(step.profile)}\`.`,
    }[step.problem];
    case 'sync-clock':
      return 'Set this computer\'s clock to the right time and keep it synced (Linux: `sudo timedatectl set-ntp true`; macOS: System Settings → General → Date & Time → Set time automatically; Windows: `w32tm /resync`), then run the command again.';
    case 'grant-permissions':
      return 'Ask your AWS administrator to allow the EC2 actions CloudRig uses (see README, "IAM permissions"), or use a profile that has them (--profile).';
    case 'start-jupyter':
      return `Start one in another terminal with \`rig ssh ${step.name} -- jupyter lab --no-browser --port ${step.port}\` (or inside tmux on the box), then run \`rig jupyter ${step.name}\` again.`;
    case 'reset-launch': return 'Run `rig up` again; if it persists, delete launch.json for this workstation in the CloudRig home.';
    case 'recreate-key': return `Run \`rig init${step.name ? ` --name ${step.name}` : ''}\` again to recreate it.`;
    case 'replace-key':
      return `Copy the key file there from the machine that made it; or, if it is lost, run \`rig init --name ${step.name}${step.region && step.instanceType ? ` --region ${step.region} --type ${step.instanceType}` : ''} --new-key\` to replace the key pair (an instance launched with the old key can then not be logged in to; init names it).`;
    case 'restore-key':
      return `Restore the file from your backup to that path (then chmod 600 ${step.path}). If it is lost, no one can log in with it: `
        + '`rig down` the instance (save an image first with --save-image only if you can reach it otherwise), then `rig init --new-key` to replace its key pair with a new key.';
    case 'delete-key-pair': return `Delete it (aws ec2 delete-key-pair --key-name ${step.keyName} --region ${step.region}) and run rig init again.`;
    case 'check-image': return `Check the AMI id for ${step.region} (AMI ids differ per region), or drop --ami to use the default Deep Learning GPU image.`;
    case 'choose-image': return step.parameter === null
      ? 'Pass --ami or --ami-param to rig init.'
      : 'Check the path (rig init --ami-param …), or pass an explicit image with --ami.';
    case 'choose-region':
      return 'Use a region code such as us-east-1 (rig init --region us-east-1, or AWS_REGION); list yours with `aws ec2 describe-regions --output text`.';
    case 'create-default-vpc': return `Create one with \`aws ec2 create-default-vpc --region ${step.region}\`, or choose another region.`;
    case 'choose-home': return {
      unusable: `Pass a writable directory with --home DIR (or set CLOUDRIG_HOME)${step.suggested ? `, e.g. --home ${step.suggested}` : ''}.`,
      empty: `Pass a directory with --home DIR (or set CLOUDRIG_HOME)${step.suggested ? `, e.g. --home ${step.suggested}` : ''}.`,
      'not-writable': 'Make the CloudRig home writable (or free some space), or pass another one with --home DIR, then try again.',
    }[step.problem];
    case 'move-home': return 'Move the CloudRig home to a plain path: set CLOUDRIG_HOME (or pass --home) to a directory without those characters.';
    case 'pick-terminal': return step.installed === null
      ? 'Pick another terminal in Settings, or copy the ssh command instead.'
      : `Pick another terminal in Settings (${step.installed.join(', ') || 'none found'}), or copy the ssh command instead.`;
    case 'install-terminal': return step.linux
      ? 'Install one (e.g. `sudo apt install xterm`), or copy the ssh command and paste it into your terminal.'
      : 'Copy the ssh command and paste it into your terminal.';
    case 'make-writable':
      return `Make it writable with \`chmod u+w ${shellQuote(step.path)}\` and run \`rig ssh-config --${step.verb === 'add' ? 'install' : 'remove'}\` again, or ${byHand(step.verb, step.line, 'its')}`;
    case 'install-ssh-config': return 'Run `rig ssh-config --install`, then `rig code` again.';
    case 'include-ssh-config':
      return `Run \`rig ssh-config --install\` (one Include line at the top of ~/.ssh/config; a backup is kept), so \`ssh ${step.name ?? '<name>'}\`, scp, rsync and VS Code Remote-SSH reach it by name.`;
    case 'rerun-init': return `Run \`rig init --name ${step.name}\` to create it again (it keeps the saved settings).`;
    case 'enable-region':
      return `Enable it with \`aws account enable-region --region-name ${step.region}\` (or AWS console → Account → AWS Regions), or choose another region (rig init --region us-east-1).`;
    case 'confirm': return 'Pass --yes to confirm.';
    case 'replace-stranded-instance':
      return `Keep its disk and replace it: \`rig down ${step.name} --save-image --yes\`, then \`rig up ${step.name}\` (the new instance gets the new key); or \`rig down ${step.name} --yes\` to just end it.`;
    case 'fix-setup-script': return {
      failed: `Read the whole log on the box (${step.log}; \`rig ssh ${step.name} -- cat ${step.log}\`), fix the script, then \`rig init --name ${step.name} --setup FILE\` and launch a fresh instance (\`rig down ${step.name}\`, \`rig up ${step.name}\`).`,
      interrupted: `It runs only once per disk. Run the rest by hand (\`rig ssh ${step.name}\`; its log is ${step.log}), or launch a fresh instance (\`rig down ${step.name}\`, \`rig up ${step.name}\`).`,
      'not-started': `Check that the image runs cloud-init; see \`rig ssh ${step.name} -- sudo cat /var/log/cloud-init-output.log\`.`,
    }[step.problem];
    case 'follow-setup': return `\`rig up ${step.name}\` follows it again while it runs (the whole log: \`rig ssh ${step.name} -- tail -n +1 -f ${step.log}\`).`;
    case 'choose-push-folder':
      return `Put ${step.path} back, or choose another push folder in the app (or push an existing one with \`rig push ${step.name} FOLDER\`).`;
    case 'resize-by-relaunch':
      return `Keep the disk and relaunch as the new type: \`rig down ${step.name} --save-image\`, then \`rig init --name ${step.name} --type ${step.instanceType}\` and \`rig up ${step.name}\` (it launches from the saved image).`;
    case 'stop-to-resize':
      return `Run \`rig resize ${step.name} ${step.instanceType} --yes\` to stop it first, or \`rig stop ${step.name}\` and run the resize again.`;
    case 'confirm-driver':
      return `If the image does carry the NVIDIA driver (\`rig ssh ${step.name} -- nvidia-smi\` answers while it runs), run \`rig resize ${step.name} ${step.instanceType} --skip-driver-check\`; otherwise install the driver on the box first.`;
    case 'resize-for-capacity': return step.instanceType === null
      ? `Try again in a few minutes, or change its type keeping the disk: \`rig resize ${step.name} TYPE\` (\`rig gpus\` lists them), then \`rig up ${step.name}\`.`
      : `Try again in a few minutes, or change its type keeping the disk: \`rig resize ${step.name} ${step.instanceType}\`${step.similarGpu ? ` (the same ${step.similarGpu})` : ''}, then \`rig up ${step.name}\`.`;
    case 'setup-not-running': return `Its log is shown while a fresh instance runs its setup script (\`rig up ${step.name}\` follows it).`;
    case 'reopen-tunnel': return `Open it again with \`rig tunnel${step.name ? ` ${step.name}` : ''} ${step.localPort}\`.`;
    case 'wait-for-address': return `Wait a moment and try again, or check \`rig status ${step.name}\`.`;
    case 'refresh-scan': return 'Run `rig scan` again to see the current list.';
    case 'push-by-path': return `Push the folder with \`rig push ${step.name} FOLDER\` instead.`;
    case 'pick-push-folder': return `Push a folder with \`rig push ${step.name} FOLDER\` (the app keeps a push folder per workstation).`;
    case 'reconnect':
      return `Run \`rig status${step.name ? ` ${step.name}` : ''}\` to see the workstation now; a new command connects to its current instance and checks that instance's host key.`;
    case 'use-another-port':
      if (step.reopening) return `Close what uses port ${step.localPort} here and open the tunnel again.`;
      return step.remotePort === null ? 'Pick another local port.' : `Forward from another local port, e.g. \`${step.localPort + 1}:${step.remotePort}\`.`;
    case 'copy-ssh-command': return 'Copy the ssh command and run it in your terminal instead.';
    case 'use-aws-profile': return 'Use an AWS profile instead: run `aws configure --profile NAME` (or `aws sso login`) and pass --profile NAME.';
    case 'fix-endpoint': return 'Set it to a URL such as http://127.0.0.1:5000, or unset it to reach AWS itself.';
    case 'make-key-private': return `Make it private: chmod 600 ${step.path}`;
    case 'check-remote-path':
      return `Check the path and its permissions on the workstation (\`rig ssh${step.name ? ` ${step.name}` : ''} -- ls -la PATH\`; relative paths start in the login user's home).`;
    case 'avoid-links': return 'Pull into a folder with no symbolic links inside it, or pass --force to replace the links.';
    case 'inspect-unsafe-names': {
      const them = step.count === 1 ? 'it' : 'them';
      return `Look at ${them} on the workstation (\`rig ssh${step.name ? ` ${step.name}` : ''} -- ls -la PATH\`): a name with '/', '..' or control characters there means something on the box wrote it; rename or remove ${them} there.`;
    }
    case 'fix-access': return step.problem === 'owner'
      ? `Check that ${step.path} is a ${step.folder ? 'folder' : 'file'} you own, then try again.`
      : step.folder
        ? `Make it writable with \`chmod u+rwx ${shellQuote(step.path)}\`, then try again.`
        : `Make it readable and writable for you with \`chmod u+rw ${shellQuote(step.path)}\`, then try again.`;
    case 'move-file-away': return `Move that file away (mv ${shellQuote(step.path)} ${shellQuote(`${step.path}.moved`)}) and try again; CloudRig makes the folder anew.`;
    case 'forget-host-key': return step.replaced
      ? `If ${step.instanceId ?? 'that instance'} is yours (e.g. another of your computers launched it), forget the old pin and connect again, taking its key on first use: \`${step.command} && rig up${step.name ? ` ${step.name}` : ''}\``
      : `Do not connect. Only if you replaced the machine behind that address yourself, forget the old key with \`${step.command}\` and connect again.`;
    case 'check-remote-port':
      return `Check that something listens on port ${step.port} on the workstation (e.g. \`rig ssh${step.name ? ` ${step.name}` : ''} -- ss -ltn\`).`;
    case 'repair-settings': {
      const away = `mv ${shellQuote(step.path)} ${shellQuote(`${step.path}.damaged`)}`;
      return step.field === null
        ? `Fix it by hand, or move it away (${away}) to start with fresh settings; your instances are found again from AWS.`
        : `Correct ${step.field} in the file by hand (or rerun the rig init that set it), or move the file away (${away}) to start afresh.`;
    }
    case 'allow-automation':
      return 'Allow CloudRig to control the terminal in System Settings → Privacy & Security → Automation (turn on the terminal under CloudRig), then open the terminal again, or pick another terminal.';
    case 'install-editor':
      return 'Install VS Code (or Cursor) and its shell command (VS Code: Command Palette → "Shell Command: Install \'code\' command in PATH"), with the Remote - SSH extension.';
    case 'check-editor': return step.uri === null
      ? `Check that \`${step.editor} --version\` works in a terminal.`
      : `Run \`${step.editor} --folder-uri ${step.uri}\` to see its message.`;
    case 'fix-checks': return {
      'check-again': 'Fix them as shown above, then run rig doctor again.',
      'request-quota': 'Run `rig doctor --request-quota` for the quota; fix the others as shown above.',
      'request-quota-again': 'Fix them as shown above, then run rig doctor --request-quota again.',
    }[step.then];
    case 'copy-usage': return step.direction === 'push'
      ? 'Run e.g. `rig push ./project` or `rig push ./project work/project` (a path on the workstation is relative to its home; a bare ~ would be this machine\'s).'
      : 'Run e.g. `rig pull results` or `rig pull work/results ./results` (relative to the workstation\'s home).';
    // Quoted like any word: a bare ~ would be this machine's home by the time rig reads it, not the workstation's.
    case 'pull-into-new-folder': return `Name a new folder for it, e.g. \`rig pull ${shellQuote(step.remote)} ./pulled\`.`;
    case 'install-ssh-client': return 'Install an OpenSSH client (ssh) and make sure it is on PATH.';
    case 'answer-questions': return 'Run `rig init` again, or pass every value as a flag (rig init --help).';
    case 'name-workstation': return `Name it to go ahead: \`${step.command}\`.`;
    case 'list-gpu-types': return step.architecture === null ? '`rig gpus` lists its GPU types.' : `\`rig gpus\` lists ${step.architecture} GPU types.`;
    case 'save-setup-image': return `Save this set-up disk so the next launch starts ready: \`rig down ${step.name} --save-image\` (in the app: Save image).`;
    case 'correct-form': return 'Correct the value and try again.';
    case 'stop-later': return `Stop it later with \`rig stop ${step.name}\`.`;
    default: return unworded(step);
  }
}

/** A fix as `rig` words it: the commands and flags to use. */
export function cliFix(fix: Fix): string {
  return joinSteps(fixSteps(fix).map(cliStep));
}

/** The one error line `rig` prints: what went wrong, then how to fix it. */
export function cliErrorText(info: ErrorInfo): string {
  // A message may quote the box (a failed command's stderr, what its sshd said): shown, never obeyed.
  return printable(`${info.message} Fix: ${cliFix(info.fix)}`);
}
