import { Option } from 'commander';
import type { CommandRegistrar } from './program.js';
import { lineWriter } from './output.js';

/** `rig ssh-config [--install | --remove | --print]`: CloudRig's ssh config and the one Include line that makes `ssh <name>` work. */
export const registerSshConfig: CommandRegistrar = (program, { rig, io }) => {
  const out = lineWriter(io.stdout);
  program
    .command('ssh-config')
    .description('Show whether `ssh <name>` works; --install adds one Include line to ~/.ssh/config, --remove takes it out, --print shows CloudRig\'s file.')
    .addOption(new Option('--install', 'add `Include <CloudRig\'s file>` at the top of ~/.ssh/config (or $CLOUDRIG_SSH_CONFIG); a backup is kept').conflicts(['remove', 'print']))
    .addOption(new Option('--remove', 'take exactly that line out again').conflicts(['install', 'print']))
    .addOption(new Option('--print', 'print CloudRig\'s ssh config').conflicts(['install', 'remove']))
    .action(async (opts: { install?: boolean; remove?: boolean; print?: boolean }) => {
      const c = await rig();
      // AWS asked about every workstation once (a start may have brought a new address), then the file rewritten.
      const text = await c.sshConfig.refresh();
      const names = c.names();
      const example = names[0] ?? '<name>';
      if (opts.print) {
        io.stdout.write(text);
        return;
      }
      if (opts.install) {
        const change = await c.sshConfig.install();
        if (!change.changed) return out(`${change.userConfigPath} already includes ${change.ownConfigPath}; nothing changed. Try: ssh ${example}`);
        out(change.created ? `Created ${change.userConfigPath} (mode 0600) with one line: ${change.line}` : `Added at the top of ${change.userConfigPath}: ${change.line}`);
        if (change.backupPath) out(`Your file as it was is kept in ${change.backupPath}.`);
        out(`Now \`ssh ${example}\`, scp, rsync, sftp and VS Code Remote-SSH reach the workstation by name. Undo with \`rig ssh-config --remove\`.`);
        return;
      }
      if (opts.remove) {
        const change = await c.sshConfig.remove();
        if (!change.changed) return out(`${change.userConfigPath} has no CloudRig Include line; nothing changed.`);
        out(`Removed from ${change.userConfigPath}: ${change.line}`);
        return;
      }
      const status = await c.sshConfig.status();
      out(`CloudRig's ssh config: ${status.ownConfigPath} (${names.length} workstation${names.length === 1 ? '' : 's'}${names.length ? `: ${names.join(', ')}` : ''}).`);
      if (status.installed) {
        out(`Included from ${status.userConfigPath}${status.symlinkTarget ? ` (a symlink to ${status.symlinkTarget})` : ''}: \`ssh ${example}\` works. \`rig ssh-config --remove\` takes the line out.`);
      } else {
        out(`Not included from ${status.userConfigPath}. Run \`rig ssh-config --install\` to add one line at its top (a backup is kept), so \`ssh ${example}\`, scp, rsync and VS Code Remote-SSH work.`);
      }
    });
};
