// The state every part of the tray app's view-model reads: the façade of use cases (built again
// when the profile or the keys change), the workstation shown and its latest snapshot, the notice
// line ("Copied …"), and the signal that something shown changed.
import type { Settings } from '../../shared/settings.js';
import type { Snapshot } from '../../shared/workstation.js';
import { openAccessKeys } from '../credentials.js';
import { Emitter } from '../emitter.js';
import { CloudRigError } from '../errors.js';
import { AppLoops } from './app-loops.js';
import type { SessionPorts } from './app-session-ports.js';
import { Rig } from './rig.js';

export class SessionState {
  private built: Rig;
  /** The workstation shown, and its latest snapshot. */
  watched: string | null = null;
  snapshot: Snapshot | null = null;
  private shownNotice: { text: string; cancel: () => void } | null = null;
  private readonly changes = new Emitter<void>();

  /** Fires when anything shown may have changed: the views are computed again. */
  readonly onDidChange = this.changes.event;

  /** The application layer's long-running parts, each over the façade as built now. */
  readonly loops = new AppLoops(() => this.built);

  constructor(private readonly ports: SessionPorts) {
    this.built = this.buildRig();
  }

  /** The use cases, over the core as built now (with the typed keys when there are any). */
  rig(): Rig {
    return this.built;
  }

  /** Switch profile or keys: the façade is built again over a core with them, and nothing is shown until watched again. */
  rebuildRig(): void {
    this.watched = null;
    this.snapshot = null;
    this.built = this.buildRig();
  }

  private buildRig(): Rig {
    const base = { home: this.ports.home, env: this.ports.env };
    const plain = new Rig(this.ports.createCore(base));
    // Before the keys are read: an earlier version kept them in the shared settings file.
    plain.app.moveLegacyAppState(this.ports.appState, (line) => this.log(line));
    const keys = openAccessKeys(this.ports.secretBox, this.ports.appState.read().sealedCredentials);
    return keys ? new Rig(this.ports.createCore({ ...base, credentials: keys })) : plain;
  }

  settings(): Settings {
    return this.built.app.settings();
  }

  log(line: string): void {
    this.ports.log?.(line);
  }

  /** Something shown changed. */
  changed(): void {
    this.changes.fire();
  }

  /** The workstation shown, for the actions that need one. */
  requireName(): string {
    if (this.watched === null) {
      throw new CloudRigError('NoWorkstation', 'No workstation is set up yet.', { action: 'create-workstation', name: null });
    }
    return this.watched;
  }

  /** The notice line now, if any. */
  notice(): string | null {
    return this.shownNotice?.text ?? null;
  }

  /** Shows a notice for a few seconds. */
  setNotice(text: string): void {
    this.shownNotice?.cancel();
    const cancel = this.built.app.scheduler.after(this.ports.noticeMs ?? 4_000, () => {
      this.shownNotice = null;
      this.changed();
    });
    this.shownNotice = { text, cancel };
    this.changed();
  }

  /** A new operation begins: what the last one said ("Saved gpu", "Copied …") is no longer news. */
  clearNotice(): void {
    if (!this.shownNotice) return;
    this.shownNotice.cancel();
    this.shownNotice = null;
    this.changed();
  }

  /** Stops the notice's timer. */
  dispose(): void {
    this.shownNotice?.cancel();
  }
}
