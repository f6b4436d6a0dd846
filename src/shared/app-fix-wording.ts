import type { Fix, FixStep, InputField } from './errors.js';
import { fixSteps, joinSteps, unworded } from './fix-steps.js';
import { byHand, inputHint, isSameWorded, sameWording } from './same-fix-wording.js';

/** Where the app shows each input: the field of the Settings form, by its label. */
export const APP_INPUT_NAMES: { readonly [F in InputField]: string } = {
  name: 'Settings → Workstation → Name',
  nameArgument: 'Settings → Workstation → Name',
  region: 'Settings → Workstation → Region',
  instanceType: 'Settings → Workstation → Instance type',
  image: 'Settings → Workstation → Image (AMI id)',
  imageParameter: 'Settings → Workstation → Image (SSM parameter)',
  imageIdArgument: 'Settings → Workstation → Image (AMI id)',
  instanceTypeArgument: 'Change type…',
  diskGiB: 'Settings → Workstation → Disk (GiB)',
  sshUser: 'Settings → Workstation → SSH user',
  sshHost: 'Settings → Workstation → SSH host override',
  sshPort: 'Settings → Workstation → SSH port',
  ingressCidr: 'Settings → Workstation → Allowed addresses (CIDR)',
  timeout: 'the wait',
  idleMinutes: 'Settings → Workstation → Idle minutes before it stops',
  autoStop: 'Settings → Workstation → Idle minutes before it stops',
  snoozeHours: 'the snooze',
  folder: 'the folder',
  localPort: 'the local port',
  statsInterval: 'the interval',
  setupScript: 'Settings → Workstation → Setup script',
  nodes: 'the number of nodes',
  gpuSpec: 'the GPUs',
  archiveAfterDays: 'the days stopped before Archive is offered',
  gpuModel: 'the GPU filter of the GPU list',
  forwards: 'the tunnel\'s ports',
};

const RETRY: { readonly [R in Extract<FixStep, { action: 'retry' }>['reason']]: string } = {
  aborted: 'Press the button again to keep waiting; nothing was undone.',
  'lock-lost': 'Try again; CloudRig finds what was already done by its tags.',
  busy: 'Wait for the other CloudRig window or command to finish, then try again.',
  throttled: 'Wait a minute and try again; close other tools that call the EC2 API in a loop.',
  'aws-unavailable': 'This is usually brief: wait a minute and try again (https://health.aws.amazon.com shows outages).',
  network: 'Check your network connection, VPN or proxy, then try again.',
  'aws-said': 'Check the message above; try again once it is fixed.',
  snooze: 'Check that the workstation is ready (Copy the ssh command and log in), then try again.',
  'copy-interrupted': 'Push again to finish it.',
  capacity: 'Try again in a few minutes.',
};

const workstationField = (field: InputField): string => APP_INPUT_NAMES[field];

/** One step as the app says it: where to click. Never a command-line flag. */
function appStep(step: FixStep): string {
  if (isSameWorded(step)) return sameWording(step);
  switch (step.action) {
    case 'retry': return RETRY[step.reason];
    case 'report-bug': return 'Try again; if it keeps happening, report what happened (CloudRig → About shows the version).';
    case 'correct-input': return `${APP_INPUT_NAMES[step.field]}: ${inputHint(step, 'save again')}`;
    case 'raise-disk': return `${APP_INPUT_NAMES.diskGiB}: give ${step.minGiB} GiB or more.`;
    case 'confirm-anywhere':
      return `${APP_INPUT_NAMES.ingressCidr}: give your own address range (or auto), or tick "Allow ssh from anywhere" if you really mean everyone.`;
    case 'edit-workstation': return `Set ${workstationField(step.field)} to ${step.value} and save.`;
    case 'give-own-address': return `${APP_INPUT_NAMES.ingressCidr}: give your address, e.g. 203.0.113.7/32, and save.`;
    case 'create-workstation': return 'Fill in the setup form and press Create workstation.';
    case 'choose-workstation': return step.missing === null
      ? `Pick one of ${step.names.join(', ')} in Settings → Workstation.`
      : `${step.missing} is gone from the settings; set it up again in Settings → Workstation.`;
    case 'adopt-workstation':
      return `Take it over: set up a workstation named ${step.name} in ${step.region} with type ${step.instanceType} (Settings → Workstation); then Stop or Terminate it from the popover.`;
    case 'settle-before-removal': return step.holds === 'instance'
      ? 'Terminate the instance first (Save image and terminate keeps your files), then remove the workstation.'
      : 'Delete its saved images first, or keep them, then remove the workstation.';
    case 'terminate-first': return 'Terminate the instance first (Save image and terminate keeps your files), then change the region.';
    case 'start': return 'Press Start in the popover.';
    case 'nothing-to-stop': return 'Nothing is running, so nothing is billed by the hour. Start launches one.';
    case 'stop-billing':
      return `To stop the billing: press Stop (keeps the disk) or Terminate… in the popover; if AWS stays unreachable, stop ${step.instanceId} in the EC2 console (${step.region}).`;
    case 'find-launch':
      return 'Then press Start again: it finds that instance (it reuses the same launch token, so it cannot start a second one), and Terminate… ends it.';
    case 'check-launch': return 'Press Refresh to see whether it exists, then Start again.';
    case 'terminate-duplicates':
      return `Terminate… in the popover ends all of them; or keep the oldest (${step.keep}) and terminate the others in the EC2 console.`;
    case 'after-interruption': return step.stopped
      ? 'It is not billed for compute once stopped. Press Start to start it again; if it keeps stopping, check the idle auto-stop (Settings → Workstation) and any other tool managing it.'
      : 'It is no longer billed by the hour. Start launches a new one (from the newest saved image, if any).';
    case 'spot-interrupted': return step.stopped
      ? 'Only its disk is billed now, and its persistent spot request starts it again by itself when AWS has capacity (Start waits for that). Not to depend on spot capacity: Terminate… with "Save image", then turn off Spot (or choose another region) in Settings → Workstation and press Start.'
      : 'It is no longer billed. Start tries spot again (in each zone of the region); or turn off Spot in Settings → Workstation (on-demand capacity is not taken back), or choose another region there.';
    case 'wait-longer': return `The instance is left as it is (${step.state}). Press Start again to keep waiting.`;
    case 'check-ssh-access':
      return `Check that your address is still admitted (${APP_INPUT_NAMES.ingressCidr}: auto re-admits it) and that the image lets ${step.sshUser} in with the workstation key${step.waiting ? '; Start keeps waiting' : ''}.`;
    case 'check-workstation-answers': return 'Check that the workstation answers (Refresh shows it), then try again.';
    case 'inspect-box-output':
      return step.command
        ? `Open a terminal on it and run \`${step.command} | head -n 40\` to see the start of what it prints; fix what makes it print without end.`
        : 'Open a terminal on it and look for what prints without end (a tool stuck in a loop, a log that never stops).';
    case 'retry-image': return 'Try Terminate… with "Save image" again, or terminate without an image.';
    case 'wait-for-image': return 'Wait for the image to be available (the EC2 console lists it under AMIs), then Terminate… again.';
    case 'review-image':
      return `The image ${step.imageId} is listed in the EC2 console under AMIs; Terminate… with "Save image" again, or deregister it there.`;
    case 'list-images': return 'The EC2 console lists this workstation\'s images under AMIs.';
    case 'archive-again': return 'Press Archive again: it reuses the image and terminates the instance only once the image is available.';
    case 'forget-archive': return `The image ${step.imageId} it was archived to is gone (the EC2 console lists images under AMIs); ask the command line to forget the archive, so Start launches from the workstation's own image.`;
    case 'request-quota':
      return `Request at least ${step.desired} vCPUs for "${step.quotaName}" (quota ${step.quotaCode}): Settings → Account checks → Request, or open Service Quotas → Amazon EC2 in ${step.region}.`;
    case 'other-capacity':
      return `Try again in a few minutes, or in Settings → Workstation choose ${step.similar ? `a similar GPU type (${step.similar}${step.similarGpu ? `, the same ${step.similarGpu}` : ''}), ` : 'another GPU type, '}${step.otherMarket === null ? '' : 'the other market (Spot), '}or another region.`;
    case 'configure-credentials': return {
      missing: 'Pick a profile or enter access keys in Settings → AWS account.',
      expired: `Refresh them (e.g. aws sso login${step.profile ? ` for profile ${step.profile}` : ''}) and try again.`,
      invalid: 'Check the access keys or profile in Settings → AWS account.',
    }[step.problem];
    case 'sync-clock':
      return 'Set this computer\'s clock to the right time and keep it synced (turn on automatic date and time in the system settings), then try again.';
    case 'grant-permissions':
      return 'Ask your AWS administrator to allow the EC2 actions CloudRig uses (see README, "IAM permissions"), or pick a profile that has them in Settings → AWS account.';
    case 'start-jupyter':
      return `Start Jupyter on the box, listening on port ${step.port} (in a terminal on it, inside tmux to keep it running), then press Open Jupyter again.`;
    case 'reset-launch': return 'Press Start again; if it persists, delete launch.json for this workstation in the CloudRig home.';
    case 'recreate-key': return 'Save the workstation again in Settings → Workstation to recreate it.';
    case 'replace-key':
      return 'Copy the key file there from the machine that made it. If it is lost, the key pair must be replaced (an instance launched with the old key can then not be logged in to).';
    case 'restore-key':
      return `Restore the file from your backup to that path (then chmod 600 ${step.path}). If it is lost, no one can log in with it: Terminate… the instance and set the workstation up again for a new key.`;
    case 'delete-key-pair': return `Delete the key pair ${step.keyName} in the EC2 console (${step.region}, Key pairs) and save the workstation again.`;
    case 'check-image': return `Check the AMI id for ${step.region} in ${APP_INPUT_NAMES.image} (AMI ids differ per region), or use the default Deep Learning GPU image (SSM parameter).`;
    case 'choose-image': return `Choose an image in ${APP_INPUT_NAMES.image}${step.parameter === null ? '' : ' (check the SSM parameter path, or give an AMI id)'}.`;
    case 'choose-region': return `Pick a region in ${APP_INPUT_NAMES.region}.`;
    case 'create-default-vpc': return `Create one in the VPC console (${step.region}: Your VPCs → Actions → Create default VPC), or choose another region in ${APP_INPUT_NAMES.region}.`;
    case 'choose-home': return step.problem === 'not-writable'
      ? 'Make the CloudRig home writable (or free some space), then try again.'
      : 'Make the CloudRig home a writable directory (or set CLOUDRIG_HOME to one) and open CloudRig again.';
    case 'move-home': return 'Move the CloudRig home to a plain path: set CLOUDRIG_HOME to a directory without those characters and open CloudRig again.';
    case 'pick-terminal': return step.installed === null
      ? 'Pick another terminal in Settings → App, or copy the ssh command instead.'
      : `Pick another terminal in Settings → App (${step.installed.join(', ') || 'none found'}), or copy the ssh command instead.`;
    case 'install-terminal': return step.linux
      ? 'Install one (e.g. xterm from your package manager), or copy the ssh command and paste it into your terminal.'
      : 'Copy the ssh command and paste it into your terminal.';
    case 'make-writable': return `Make ${step.path} writable and try again, or ${byHand(step.verb, step.line, 'its')}`;
    case 'install-ssh-config': return 'Add CloudRig\'s ssh config to yours (Settings → App), then try again.';
    case 'include-ssh-config': return `Add CloudRig's ssh config to yours (Settings → App), so ssh ${step.name ?? '<name>'}, scp, rsync and VS Code Remote-SSH reach it by name.`;
    case 'rerun-init': return 'Save the workstation again in Settings → Workstation to create it again.';
    case 'enable-region':
      return `Enable ${step.region} for your account (AWS console → Account → AWS Regions), or choose another region in ${APP_INPUT_NAMES.region}.`;
    case 'check-quota':
      return `Look it up in the AWS console: Service Quotas → Amazon EC2 → "${step.quotaName}" (${step.quotaCode}) in ${step.region}.`;
    case 'confirm': return 'Confirm when CloudRig asks, then try again.';
    case 'replace-stranded-instance':
      return 'Keep its disk and replace it: Terminate… with "Save image", then Start (the new instance gets the new key); or Terminate… to just end it.';
    case 'fix-setup-script': return {
      failed: 'Read the whole log (Open log in terminal, or Copy log command), fix the script in Settings → Workstation → Setup script, then Terminate… and Start: it runs only on a fresh instance.',
      interrupted: `It runs only once per disk: run the rest by hand (Open terminal; its log is ${step.log}), or Terminate… and Start a fresh instance.`,
      'not-started': 'Check that the image runs cloud-init (Settings → Workstation → Image); on the box, /var/log/cloud-init-output.log says why it did not run.',
    }[step.problem];
    case 'follow-setup': return 'It keeps running on the box; the popover shows its log while it runs (Open log in terminal shows all of it).';
    case 'choose-push-folder':
      return `Put ${step.path} back, or press Change… under "Push folder" in the popover to choose another one.`;
    case 'resize-by-relaunch':
      return `A spot instance's type cannot change: Terminate… with "Save image", then set the type to ${step.instanceType} in Settings → Workstation and press Start (it launches from the saved image).`;
    case 'stop-to-resize': return `Press "Stop and change to ${step.instanceType}" in Change type… (the disk is kept), or press Stop and change its type once it is stopped.`;
    case 'confirm-driver':
      return 'Check on the box that nvidia-smi answers (Open terminal): if it does, tick "The image has the NVIDIA driver" in Change type… and pick the type again; otherwise install the driver on the box first.';
    case 'resize-for-capacity': {
      const type = step.instanceType === null ? 'another GPU type' : `${step.instanceType}${step.similarGpu ? ` (the same ${step.similarGpu})` : ''}`;
      return `Try again in a few minutes, or change its type, keeping its disk, to ${type}: pick one under "Change type and start" in the popover (the same GPU or better, in the zone its disk is in).`;
    }
    case 'setup-not-running': return 'Its log is shown while a fresh instance runs its setup script.';
    case 'reopen-tunnel': return `Open the tunnel on port ${step.localPort} again from the popover.`;
    case 'wait-for-address': return 'Wait a moment and try again (Refresh shows its address).';
    case 'refresh-scan': return 'Open the popover again to see the current list.';
    case 'push-by-path': return 'Push the folder from a terminal instead.';
    case 'pick-push-folder': return 'Press Change… under "Push folder" to choose one.';
    case 'reconnect':
      return 'Press Refresh to see the workstation now; connecting again reaches its current instance and checks that instance\'s host key.';
    case 'use-another-port':
      if (step.reopening) return `Close what uses port ${step.localPort} here and open the tunnel again from the popover, or press Forget to stop re-opening it.`;
      return step.remotePort === null ? 'Pick another local port.' : `Forward from another local port, e.g. ${step.localPort + 1}.`;
    case 'copy-ssh-command': return 'Copy the ssh command and run it in your terminal instead.';
    case 'use-aws-profile':
      return 'Use an AWS profile instead: set one up with the AWS CLI (aws configure, or aws sso login) and pick that profile here.';
    case 'fix-endpoint': return 'Set it to a URL such as http://127.0.0.1:5000, or unset it to reach AWS itself, and open CloudRig again.';
    case 'make-key-private': return `Make it private: chmod 600 ${step.path}`;
    case 'check-remote-path':
      return 'Check the path and its permissions on the workstation (Open terminal, then ls -la PATH; relative paths start in the login user\'s home).';
    case 'avoid-links': return 'Copy into a folder with no symbolic links inside it.';
    case 'inspect-unsafe-names': {
      const them = step.count === 1 ? 'it' : 'them';
      return `Look at ${them} on the workstation (Open terminal): a name with '/', '..' or control characters there means something on the box wrote it; rename or remove ${them} there.`;
    }
    case 'fix-access': return step.problem === 'owner'
      ? `Check that ${step.path} is a ${step.folder ? 'folder' : 'file'} you own, then try again.`
      : `Make ${step.path} ${step.folder ? 'writable' : 'readable and writable'} for you, then try again.`;
    case 'move-file-away': return `Move that file away (rename ${step.path}) and try again; CloudRig makes the folder anew.`;
    case 'forget-host-key': return step.replaced
      ? `If ${step.instanceId ?? 'that instance'} is yours (e.g. another of your computers launched it), forget the old pin (in a terminal: ${step.command}) and press Start again, taking its key on first use.`
      : `Do not connect. Only if you replaced the machine behind that address yourself, forget the old key (in a terminal: ${step.command}) and connect again.`;
    case 'check-remote-port': return `Check that something listens on port ${step.port} on the workstation (Open terminal, then ss -ltn).`;
    case 'repair-settings': return step.field === null
      ? `Fix it by hand, or move it away (rename it to ${step.path}.damaged) to start with fresh settings; your instances are found again from AWS.`
      : `Correct ${step.field} in the file by hand (or save that workstation again in Settings → Workstation), or move the file away (rename it to ${step.path}.damaged) to start afresh.`;
    case 'allow-automation':
      return 'Allow CloudRig to control the terminal in System Settings → Privacy & Security → Automation (turn on the terminal under CloudRig), then open the terminal again, or pick another terminal in Settings → App.';
    case 'install-editor': return 'Install VS Code (or Cursor) and its shell command, with the Remote - SSH extension.';
    case 'check-editor': return `Check that ${step.editor} opens from a terminal.`;
    case 'fix-checks': return 'Fix them as shown above, then run the checks again (Settings → Account checks).';
    case 'copy-usage': return step.direction === 'push' ? 'Choose a folder to push.' : 'Name a path on the workstation to copy here.';
    case 'pull-into-new-folder': return 'Choose a new folder for it.';
    case 'install-ssh-client': return 'Install an OpenSSH client (ssh) and make sure it is on PATH, then open CloudRig again.';
    case 'answer-questions': return 'Fill in the setup form again.';
    case 'name-workstation': return `Pick ${step.name} in the popover first.`;
    case 'list-gpu-types': return 'The GPU list (Change type…) shows the types you can pick.';
    case 'save-setup-image': return 'Save this set-up disk so the next launch starts ready: Save image.';
    case 'correct-form': return 'Correct the highlighted field and try again.';
    case 'stop-later': return `Stop ${step.name} from the menu first, or later from the menu or the command line.`;
    default: return unworded(step);
  }
}

/** A fix as the app words it: where to click, never a command or flag of `rig`. */
export function appFix(fix: Fix): string {
  return joinSteps(fixSteps(fix).map(appStep));
}
