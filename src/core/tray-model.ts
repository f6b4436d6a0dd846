import { duplicatesError } from './duplicates.js';
import type { Settings } from '../shared/settings.js';
import type { Snapshot } from '../shared/workstation.js';
import { hourlyText, monthText, priceSourceLabel, sessionUsdOf, type CostFacts } from './cost-view.js';
import { formatDuration, formatUsd } from './format.js';
import { isBilledRunning } from './phase.js';
import { canCopySsh, canStart, canStop, canTerminate, iconOf, offlineOf, PHASE_LABELS, type TrayIcon, uptimeMs, wouldLaunch } from './phase-view.js';

/** What a tray menu item does when clicked. */
export type TrayAction =
  | 'start'
  | 'stop'
  | 'copy-ssh'
  | 'open-terminal'
  | 'save-and-terminate'
  | 'terminate'
  | 'show-popover'
  | 'settings'
  | 'toggle-start-at-login'
  | 'quit';

/** One item of the tray's context menu. */
export type TrayMenuItem =
  | { readonly kind: 'action'; readonly action: TrayAction; readonly label: string; readonly enabled: boolean }
  | { readonly kind: 'checkbox'; readonly action: TrayAction; readonly label: string; readonly checked: boolean }
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'separator' };

/** Everything the tray shows: icon, title (macOS menu bar), tooltip and menu. */
export interface TrayModel {
  readonly icon: TrayIcon;
  /** Text beside the icon where the platform shows one; empty when there is nothing worth the room. */
  readonly title: string;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

const SEPARATOR: TrayMenuItem = { kind: 'separator' };

function action(action: TrayAction, label: string, enabled: boolean): TrayMenuItem {
  return { kind: 'action', action, label, enabled };
}

/**
 * The tray for a snapshot (null before the first one, or when no workstation is set up), the
 * settings and the time. Every label and enabled state the tray shows comes from here.
 */
export function trayModel(snapshot: Snapshot | null, settings: Settings, now: number, cost: CostFacts | null = null): TrayModel {
  const none = Object.keys(settings.workstations).length === 0;
  const tail: TrayMenuItem[] = [
    SEPARATOR,
    action('show-popover', 'Show CloudRig', true),
    action('settings', none ? 'Set up a workstation…' : 'Settings…', true),
    { kind: 'checkbox', action: 'toggle-start-at-login', label: 'Start at login', checked: settings.startAtLogin },
    SEPARATOR,
    action('quit', 'Quit CloudRig', true),
  ];

  if (!snapshot) {
    const tooltip = none ? 'CloudRig: no workstation set up yet' : 'CloudRig: checking…';
    return {
      icon: 'stopped',
      title: '',
      tooltip,
      menu: [
        { kind: 'label', label: none ? 'No workstation yet' : 'Checking…' },
        action('start', 'Start', false),
        action('copy-ssh', 'Copy SSH command', false),
        action('open-terminal', 'Open terminal', false),
        SEPARATOR,
        action('save-and-terminate', 'Save image and terminate…', false),
        action('terminate', 'Terminate…', false),
        ...tail,
      ],
    };
  }

  const { phase } = snapshot;
  const uptime = uptimeMs(snapshot, now);
  const hourly = isBilledRunning(phase) ? hourlyText(cost) : null;
  const running = uptime === null ? null : formatDuration(uptime);
  const sessionUsd = sessionUsdOf(snapshot, cost, now);
  const session = sessionUsd === null ? null : formatUsd(sessionUsd);

  // The menu bar has room for little: the rate, the uptime and what this run has cost.
  const title = isBilledRunning(phase)
    ? [hourly, running, session].filter((part) => part !== null).join(' · ')
    : phase === 'launching' || phase === 'terminating' ? '…' : '';

  const offline = offlineOf(snapshot, now);
  const phaseText = offline ? `${PHASE_LABELS[phase].replace(/…$/, '')} (${offline.label})` : PHASE_LABELS[phase].replace(/…$/, '');
  const facts = [`${snapshot.name} (${snapshot.instanceType}, ${snapshot.region}): ${phaseText}`];
  const source = priceSourceLabel(cost);
  if (hourly) facts.push(source ? `${hourly} (${source} price)` : hourly);
  if (running) facts.push(`up ${running}`);
  if (session) facts.push(`this session ${session}`);
  const month = monthText(cost);
  if (month) facts.push(`this month ${month}`);
  if (snapshot.error) facts.push(snapshot.error.message);
  const duplicates = duplicatesError(snapshot);
  if (duplicates) facts.push(duplicates.message);

  const primary = canStop(snapshot) || phase === 'launching'
    ? action('stop', 'Stop', canStop(snapshot))
    : action('start', wouldLaunch(snapshot) ? 'Start (launch a new instance)' : 'Start', canStart(snapshot));
  const terminable = canTerminate(snapshot);
  const sshUsable = canCopySsh(snapshot);

  return {
    icon: duplicates ? 'error' : iconOf(snapshot),
    title,
    tooltip: `CloudRig: ${facts.join(' · ')}`,
    menu: [
      { kind: 'label', label: `${snapshot.name}: ${offline ? phaseText : PHASE_LABELS[phase]}` },
      primary,
      action('copy-ssh', 'Copy SSH command', sshUsable),
      action('open-terminal', 'Open terminal', sshUsable && phase === 'ready'),
      SEPARATOR,
      action('save-and-terminate', 'Save image and terminate…', terminable),
      action('terminate', 'Terminate…', terminable),
      ...tail,
    ],
  };
}
