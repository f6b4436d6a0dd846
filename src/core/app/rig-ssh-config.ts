import type { CloudRigCore, SshConfigChange, SshConfigStatus } from './cloudrig-core.js';

/** CloudRig's ssh config and the one Include line in the user's (so `ssh NAME` works). */
export class SshConfigUseCases {
  constructor(private readonly core: CloudRigCore) {}

  /** Rewrites CloudRig's ssh config from every workstation as AWS describes it now; returns its text. */
  async refresh(): Promise<string> {
    await Promise.all(this.core.service.names().map((name) => this.core.service.refresh(name, { probeSsh: false })));
    await this.core.sshConfig.settled();
    return this.core.sshConfig.sync();
  }

  /** Waits until CloudRig's ssh config has caught up with the snapshots seen. */
  settled(): Promise<void> {
    return this.core.sshConfig.settled();
  }

  status(): Promise<SshConfigStatus> {
    return this.core.sshConfig.status();
  }

  install(): Promise<SshConfigChange> {
    return this.core.sshConfig.install();
  }

  remove(): Promise<SshConfigChange> {
    return this.core.sshConfig.remove();
  }
}
