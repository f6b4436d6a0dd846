import { duplicatesError } from './duplicates.js';
import type { AppState } from '../shared/app-state.js';
import type { Settings } from '../shared/settings.js';
import type { Snapshot } from '../shared/workstation.js';
import { printable } from '../shared/untrusted-text.js';
import { hourlyText, monthText, priceSourceLabel, priceUnknownText, sessionText, type CostFacts } from './cost-view.js';
import { formatDuration, formatHourly } from './format.js';
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
  | 'restart-to-update'
  | 'quit';

/** One item of the tray's context menu. */
export type TrayMenuItem =
  | {
    readonly kind: 'action';
    readonly action: TrayAction;
    readonly label: string;
    readonly enabled: boolean;
    /** The workstation the action is for, in the fleet menu; absent: the one workstation shown. */
    readonly workstation?: string;
  }
  | { readonly kind: 'checkbox'; readonly action: TrayAction; readonly label: string; readonly checked: boolean }
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'separator' };

/** What the tray reads: the shared settings, and the app's own start at login (absent: off). */
export type TraySettings = Settings & Partial<Pick<AppState, 'startAtLogin'>>;

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
export function trayModel(snapshot: Snapshot | null, settings: TraySettings, now: number, cost: CostFacts | null = null): TrayModel {
  const none = Object.keys(settings.workstations).length === 0;
  const tail: TrayMenuItem[] = [
    SEPARATOR,
    action('show-popover', 'Show CloudRig', true),
    action('settings', none ? 'Set up a workstation…' : 'Settings…', true),
    { kind: 'checkbox', action: 'toggle-start-at-login', label: 'Start at login', checked: settings.startAtLogin === true },
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
  const session = sessionText(snapshot, cost, now);

  // The menu bar has room for little: the rate, the uptime and what this run has cost. An unknown
  // rate says so once; its session is not a number, so the title leaves it out.
  const title = isBilledRunning(phase)
    ? [hourly, running, session === 'unknown' ? null : session].filter((part) => part !== null).join(' · ')
    : phase === 'launching' || phase === 'terminating' ? '…' : '';

  const offline = offlineOf(snapshot, now);
  const phaseText = offline ? `${PHASE_LABELS[phase].replace(/…$/, '')} (${offline.label})` : PHASE_LABELS[phase].replace(/…$/, '');
  const facts = [`${snapshot.name} (${snapshot.instanceType}, ${snapshot.region}): ${phaseText}`];
  const source = priceSourceLabel(cost);
  const unknown = isBilledRunning(phase) ? priceUnknownText(cost) : null;
  if (unknown) facts.push(unknown);
  else if (hourly) facts.push(source ? `${hourly} (${source} price)` : hourly);
  if (running) facts.push(`up ${running}`);
  if (session) facts.push(`this session ${session}`);
  const month = monthText(cost);
  if (month) facts.push(`this month ${month}`);
  // The message may quote the box: the tooltip shows its control characters as escapes.
  if (snapshot.error) facts.push(printable(snapshot.error.message));
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

/** The fleet at a glance: how many run and what they cost together per hour. */
export interface FleetSummary {
  readonly workstations: number;
  /** Workstations whose instance is billed as running (running or ready). */
  readonly running: number;
  /** The sum of the running workstations' known rates; 0 when none runs. */
  readonly hourlyUsd: number;
  /** True when a running workstation's rate is not known, so the sum is a floor. */
  readonly rateUnknown: boolean;
}

/** Sums up the fleet: any running means running; the rates of those running add up. */
export function fleetSummary(snapshots: readonly Snapshot[], costs: ReadonlyMap<string, CostFacts | null>): FleetSummary {
  let running = 0;
  let hourlyUsd = 0;
  let rateUnknown = false;
  for (const snapshot of snapshots) {
    if (!isBilledRunning(snapshot.phase)) continue;
    running += 1;
    const rate = costs.get(snapshot.name)?.hourlyUsd;
    if (rate == null) rateUnknown = true;
    else hourlyUsd += rate;
  }
  return { workstations: snapshots.length, running, hourlyUsd, rateUnknown };
}

/**
 * The fleet's rate in a few characters; null when none runs. Unknown rates make the sum a floor
 * ("+"); with none known, the rate is "rate unknown", never $0.00.
 */
export function fleetRateText(summary: FleetSummary): string | null {
  if (summary.running === 0) return null;
  if (summary.rateUnknown && summary.hourlyUsd === 0) return 'rate unknown';
  return `${formatHourly(summary.hourlyUsd)}${summary.rateUnknown ? '+' : ''}`;
}

/** The icon that speaks for the fleet: trouble first, then movement, then any running, else stopped. */
const ICON_PRIORITY: readonly TrayIcon[] = ['error', 'starting', 'stopping', 'ready', 'stopped'];

/**
 * The tray for every workstation: the icon and title sum up the fleet (any running: running; the
 * total rate), the menu has a row per workstation with its state and rate and its own Start/Stop,
 * Copy SSH command and Open terminal (each item names its workstation). With one workstation (or
 * none) it is exactly `trayModel`, so single-workstation users see no change.
 */
export function fleetTrayModel(snapshots: readonly Snapshot[], settings: TraySettings, now: number, costs: ReadonlyMap<string, CostFacts | null> = new Map()): TrayModel {
  if (snapshots.length <= 1) {
    const only = snapshots[0] ?? null;
    return trayModel(only, settings, now, only ? costs.get(only.name) ?? null : null);
  }
  const single = snapshots.map((snapshot) => trayModel(snapshot, settings, now, costs.get(snapshot.name) ?? null));
  const summary = fleetSummary(snapshots, costs);
  const icon = ICON_PRIORITY.find((candidate) => single.some((model) => model.icon === candidate)) ?? 'stopped';
  const rate = fleetRateText(summary);
  const title = rate === null ? '' : `${rate} · ${summary.running} running`;

  const rows: TrayMenuItem[] = snapshots.flatMap((snapshot): TrayMenuItem[] => {
    const cost = costs.get(snapshot.name) ?? null;
    const hourly = isBilledRunning(snapshot.phase) ? hourlyText(cost) : null;
    const state = PHASE_LABELS[snapshot.phase];
    const primary = canStop(snapshot) || snapshot.phase === 'launching'
      ? { action: 'stop' as const, label: 'Stop', enabled: canStop(snapshot) }
      : { action: 'start' as const, label: wouldLaunch(snapshot) ? 'Start (launch a new instance)' : 'Start', enabled: canStart(snapshot) };
    const sshUsable = canCopySsh(snapshot);
    const forThis = (item: { action: TrayAction; label: string; enabled: boolean }): TrayMenuItem =>
      ({ kind: 'action', ...item, workstation: snapshot.name });
    return [
      SEPARATOR,
      { kind: 'label', label: [`${snapshot.name}: ${state}`, hourly].filter((part) => part !== null).join(' · ') },
      forThis(primary),
      forThis({ action: 'copy-ssh', label: 'Copy SSH command', enabled: sshUsable }),
      forThis({ action: 'open-terminal', label: 'Open terminal', enabled: sshUsable && snapshot.phase === 'ready' }),
    ];
  });
  // The single model's tail (Show, Settings, Start at login, Quit) is the same for every workstation.
  const first = single[0]!.menu;
  const tail = first.slice(first.findIndex((item) => item.kind === 'action' && item.action === 'show-popover') - 1);
  const running = `${summary.running} of ${summary.workstations} running`;
  return {
    icon,
    title,
    tooltip: `CloudRig: ${rate === null ? running : `${running} · ${rate} in total`} · ${single.map((model) => model.tooltip.replace(/^CloudRig: /, '')).join(' | ')}`,
    menu: [{ kind: 'label', label: `${summary.workstations} workstations · ${running}` }, ...rows, ...tail],
  };
}

/**
 * The popover's workstation switcher, last used first; those never used follow in the order
 * given (the settings' order). `lastUsed` maps a name to epoch ms; unknown names are ignored.
 */
export function switcherOrder(names: readonly string[], lastUsed: Readonly<Record<string, number>>): string[] {
  const position = new Map(names.map((name, index) => [name, index] as const));
  return [...names].sort((a, b) => {
    const at = lastUsed[a];
    const bt = lastUsed[b];
    if (at !== undefined && bt !== undefined && at !== bt) return bt - at;
    if (at !== undefined && bt === undefined) return -1;
    if (at === undefined && bt !== undefined) return 1;
    return position.get(a)! - position.get(b)!;
  });
}
