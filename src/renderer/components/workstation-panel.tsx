import { useState, type ReactNode } from 'react';
import type { ConnectView, ReminderView, WorkstationView } from '../../shared/views.js';
import { ConnectActions, ConnectSection } from './connect-section.js';
import { useRequest } from '../use-request.js';
import { CapacityResize, offersCapacityResize } from './capacity-resize.js';
import { ChangeTypeDialog } from './change-type-dialog.js';
import { ConfirmTerminate } from './confirm-terminate.js';
import { ErrorBox } from './error-box.js';
import { ProgressSteps } from './progress-steps.js';
import { ReminderBox } from './reminder-box.js';
import { StillCosting } from './still-costing.js';

/**
 * A command's words as the ssh box lays them out, each drawn unbreakable so the command wraps at
 * its spaces only (a browser would otherwise break after a / or - inside a path), and a one-letter
 * option kept with its value (`-o IdentitiesOnly=yes`, `-p 22`).
 */
function commandWords(command: string): string[] {
  const words: string[] = [];
  for (const word of command.split(' ')) {
    const last = words.at(-1);
    if (last !== undefined && /^-[a-zA-Z]$/.test(last)) words[words.length - 1] = `${last} ${word}`;
    else words.push(word);
  }
  return words;
}

/** Phases in which Change type… opens (a running workstation is offered a stop first). */
const CHANGEABLE: ReadonlySet<WorkstationView['phase']> = new Set(['stopped', 'running', 'ready']);

/** The popover's main screen: one workstation's state, cost, ssh command and actions. */
export function WorkstationPanel(props: {
  view: WorkstationView;
  reminder: ReminderView | null;
  notice: string | null;
  confirming: boolean;
  onConfirm: (open: boolean) => void;
  onSettings: () => void;
  /** Shown above the workstation (the fleet switcher). */
  above?: ReactNode;
  /** Shown under the cost (the spend chart). */
  underCost?: ReactNode;
  /** Shown after the actions (the instances elsewhere in the account). */
  below?: ReactNode;
  connect?: ConnectView | null;
}) {
  const { view } = props;
  const request = useRequest();
  const api = window.cloudrig;
  const [changingType, setChangingType] = useState(false);

  const terminate = async (saveImage: boolean): Promise<void> => {
    if (await request.run(() => api.terminate({ saveImage }))) props.onConfirm(false);
  };

  if (props.confirming && view.canTerminate) {
    return (
      <main className="panel">
        <ConfirmTerminate name={view.name} busy={request.busy} onTerminate={(save) => void terminate(save)} onCancel={() => props.onConfirm(false)} />
        {request.error ? <ErrorBox error={request.error} title="Could not terminate" /> : null}
      </main>
    );
  }

  if (changingType) {
    return <main className="panel"><ChangeTypeDialog name={view.name} onClose={() => setChangingType(false)} /></main>;
  }

  const ready = view.phase === 'ready';
  // The command as core words it (displayedSshCommand): `ssh <name>` once ~/.ssh/config includes
  // CloudRig's, and what Copy copies.
  const sshShown = view.sshCommand;
  return (
    <main className="panel" aria-labelledby="workstation-name">
      {props.above}
      <header className="header">
        <h1 id="workstation-name" tabIndex={-1}>{view.name}</h1>
        <span className={`badge tone-${view.tone}`} role="status" aria-live="polite" data-testid="phase">{view.phaseLabel}</span>
      </header>
      <p className="facts">
        {view.instanceType} · {view.region}{view.spot ? ' · spot' : ''}{view.instanceId ? ` · ${view.instanceId}` : ''}
      </p>
      {view.progress ? <ProgressSteps steps={view.progress} /> : null}
      {view.detail ? <p className="detail">{view.detail}</p> : null}

      {/* The work first: what a user opens the popover for sits in the first screenful in every state. */}
      <div className="actions primary-actions" role="group" aria-label="Actions" data-testid="primary-actions">
        <button
          type="button"
          className="primary"
          disabled={!view.primary.enabled || request.busy}
          onClick={() => void request.run(() => (view.primary.action === 'start' ? api.start() : api.stop()))}
        >
          {view.primary.label}
        </button>
        <button type="button" disabled={!view.canOpenTerminal} onClick={() => void request.run(() => api.openTerminal())}>Open terminal</button>
        {ready && props.connect ? <ConnectActions connect={props.connect} /> : null}
      </div>
      {sshShown ? (
        <section className="ssh" aria-label="SSH command">
          <code data-testid="ssh-command">{commandWords(sshShown).map((word, index) => (
            <span key={index}>{index > 0 ? ' ' : ''}<span className="word">{word}</span></span>
          ))}</code>
          <div className="ssh-row">
            {props.connect && !props.connect.sshConfigInstalled
              ? <span className="hint">With <code>rig ssh-config --install</code> this is just <code>ssh {view.name}</code>.</span> : <span />}
            <button type="button" disabled={!view.canCopy} onClick={() => void request.run(() => api.copySshCommand())}>Copy</button>
          </div>
        </section>
      ) : null}
      {request.error ? <ErrorBox error={request.error} title="That did not work" /> : null}
      {view.error ? <ErrorBox error={view.error} title={view.phase === 'error' ? 'Error' : 'Last problem'} /> : null}
      {offersCapacityResize(view.error) ? <CapacityResize key={view.error?.message} /> : null}

      {props.reminder ? (
        <ReminderBox reminder={props.reminder} busy={request.busy} onAnswer={(action) => void request.run(() => api.answerReminder({ action }))} />
      ) : null}
      {view.ingressWarning ? <p className="warning" role="alert" data-testid="ingress-warning">{view.ingressWarning} Narrow it in Settings → Allowed addresses.</p> : null}
      <p className="notice" role="status" aria-live="polite" data-testid="notice">{props.notice ?? ''}</p>

      <dl className="meter">
        <div><dt>Uptime</dt><dd data-testid="uptime">{view.uptime ?? '—'}</dd></div>
        <div title={view.hourlyDetail ?? undefined}>
          <dt>Rate</dt>
          <dd data-testid="hourly">{view.hourly ?? '—'}</dd>
          {view.hourlySource ? <dd className="source" data-testid="price-source">{view.hourlySource} price</dd> : null}
        </div>
        <div><dt>This session</dt><dd data-testid="session">{view.session ?? '—'}</dd></div>
        <div title={view.monthDetail ?? undefined}><dt>This month</dt><dd data-testid="month">{view.month ?? '—'}</dd></div>
      </dl>
      {view.priceUnknown ? <p className="warning" data-testid="price-unknown">{view.priceUnknown}</p> : null}
      {props.underCost}
      {view.autoStop ? <p className="detail" data-testid="auto-stop">{view.autoStop}</p> : null}
      {view.stillCosting ? <StillCosting costing={view.stillCosting} /> : null}

      {props.connect ? <ConnectSection connect={props.connect} ready={ready} showsAlias={false} onSaveImage={() => props.onConfirm(true)} /> : null}
      {props.below}

      <footer className="footer">
        <button type="button" className="link" onClick={() => void request.run(() => api.refresh())}>Refresh</button>
        <button type="button" className="link" onClick={props.onSettings}>Settings</button>
        {/* A stopped box's disk kept as an image (nothing is lost, so no confirmation): Start launches from it. */}
        {view.phase === 'stopped' ? (
          <button type="button" className="link" disabled={request.busy} title="Save the disk as an image, then terminate: the disk stops billing; Start launches from the image"
            onClick={() => void request.run(() => api.archive())}>Archive</button>
        ) : null}
        {/* Its type changes only while stopped; on a running one the dialog offers to stop it first. */}
        <button type="button" className="link" disabled={!CHANGEABLE.has(view.phase)} onClick={() => setChangingType(true)}>Change type…</button>
        {/* Secondary and far from Stop: it deletes the disk (a confirmation follows). */}
        <button type="button" className="link danger terminate" disabled={!view.canTerminate} onClick={() => props.onConfirm(true)}>Terminate…</button>
      </footer>
    </main>
  );
}
