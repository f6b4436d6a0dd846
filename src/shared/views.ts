import type * as z from 'zod';
import type { WorkstationFormSchema } from './workstation-form.js';
import type { Reminders } from './settings.js';
import type { ErrorInfo, Phase } from './workstation.js';
import type { Fix } from './errors.js';
import type { ElsewhereView } from './forgotten.js';
import type { GpuHardware } from './gpu-offers.js';
import type { SpendChart } from './spend-chart.js';

/** How a phase feels, for colour and icon: nothing billed, changing, usable, or broken. */
export type Tone = 'idle' | 'busy' | 'good' | 'bad';

/** One step of the progress shown while the workstation changes state. */
export interface ProgressStep {
  readonly id: string;
  readonly label: string;
  readonly state: 'done' | 'current' | 'todo';
}

/** The primary button: Start or Stop, and whether it can be pressed now. */
export interface PrimaryAction {
  readonly action: 'start' | 'stop';
  readonly label: string;
  readonly enabled: boolean;
}

/** Everything the popover shows about one workstation at one moment; computed in core. */
export interface WorkstationView {
  readonly name: string;
  readonly region: string;
  readonly instanceType: string;
  readonly phase: Phase;
  /** "Ready for ssh", "Starting…", "Stopped". */
  readonly phaseLabel: string;
  readonly tone: Tone;
  /** What is happening right now, e.g. the step label from the core; null when steady. */
  readonly detail: string | null;
  readonly progress: readonly ProgressStep[] | null;
  readonly instanceId: string | null;
  readonly address: string | null;
  readonly spot: boolean;
  /** e.g. "1h12m"; null when not running. */
  readonly uptime: string | null;
  /** e.g. "$0.53/h"; null when unknown or not billed. */
  readonly hourly: string | null;
  /** Where that rate comes from, e.g. "bundled" or "spot · live"; null when there is no rate. */
  readonly hourlySource: string | null;
  /** The rate in full, for a tooltip: "$0.526 per hour on demand, from CloudRig's bundled price table". */
  readonly hourlyDetail: string | null;
  /** This session's compute cost so far, e.g. "$0.64", or "unknown" at an unknown rate; null when not running. */
  readonly session: string | null;
  /** Why the rate is unknown and the fix, in a sentence shown under the cost; null when it is known. */
  readonly priceUnknown: string | null;
  /** This workstation's instance cost this UTC month, e.g. "$4.20"; null when not known yet. */
  readonly month: string | null;
  /** What the month figure covers, for a tooltip. */
  readonly monthDetail: string | null;
  /** What keeps billing while the instance is stopped (or gone); null while running or not looked up. */
  readonly stillCosting: StillCostingView | null;
  /** The on-instance idle auto-stop, e.g. "Stops itself after 60 idle min"; null when unknown. */
  readonly autoStop: string | null;
  readonly sshCommand: string | null;
  readonly primary: PrimaryAction;
  readonly canCopy: boolean;
  readonly canOpenTerminal: boolean;
  readonly canTerminate: boolean;
  readonly error: ErrorInfo | null;
  /** Set while ssh is open to every address (0.0.0.0/0): shown as a warning until narrowed. */
  readonly ingressWarning: string | null;
}

/** The "still costing you" list: what exists and bills by the month while nothing runs. */
export interface StillCostingView {
  /** e.g. "$8.00/month". */
  readonly total: string;
  readonly items: readonly { readonly label: string; readonly monthly: string }[];
  /** "bundled" or "live": where the storage prices come from. */
  readonly source: string;
  /** What the user can do about it. */
  readonly hint: string;
}

/** A reminder waiting for the user's answer (the popover's Stop now / Snooze choices). */
export interface ReminderView {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly canStop: boolean;
  readonly canSnooze: boolean;
  /** e.g. "Snooze 1 h". */
  readonly snoozeLabel: string;
}

/** The whole popover: the setup form on first run, else the current workstation. */
export interface AppView {
  readonly screen: 'setup' | 'workstation';
  readonly workstation: WorkstationView | null;
  /** A short line about something that just happened ("Copied the ssh command"); null when none. */
  readonly notice: string | null;
  /** The last reminder, until it is answered or no longer applies; null when none. */
  readonly reminder: ReminderView | null;
  /** The workstation switcher (absent with fewer than two workstations). */
  readonly fleet?: FleetView | null;
  /** "Elsewhere in this account": running instances CloudRig did not start (absent before the first scan). */
  readonly elsewhere?: ElsewhereView | null;
  /** This month's spend as a chart, shown under the cost (absent until the run history was read). */
  readonly spendChart?: SpendChart | null;
  /** Reaching the running workstation: tunnels, GPU panel, host key, `ssh <name>`; absent when there is no workstation. */
  readonly connect?: ConnectView;
}

/** One workstation in the popover's switcher. */
export interface FleetEntry {
  readonly name: string;
  /** Its phase as a word ("Running", "Stopped"). */
  readonly state: string;
  readonly running: boolean;
  readonly current: boolean;
}

/** The popover's switcher: every workstation, last used first. */
export interface FleetView {
  readonly entries: readonly FleetEntry[];
  /** "1 of 2 running · $0.53/h in total". */
  readonly summary: string;
}

/** A forward the app holds open (closed on Stop). */
export interface TunnelView {
  readonly label: string;
  readonly localPort: number;
  readonly remotePort: number;
  /** What to open in the browser (http://127.0.0.1:PORT/…). */
  readonly url: string;
  /** Opened again on the same local port when the workstation is next ready. */
  readonly reopen?: boolean;
}

/** One GPU's reading (`rig stats`, the GPU panel); null where nvidia-smi says `[N/A]` or `[Not Supported]`. */
export interface GpuView {
  readonly index: number;
  readonly utilizationPercent: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly temperatureC: number | null;
  readonly powerW: number | null;
}

/** The GPU panel: the latest reading and a short utilisation history (GPU 0, oldest first). */
export interface GpuPanelView {
  readonly gpus: readonly GpuView[] | null;
  /** Said plainly when there are no readings ("No nvidia-smi on the workstation …"). */
  readonly note: string | null;
  readonly history: readonly number[];
  /** When the last reading failed (connection dropped): why; the next one tries again. */
  readonly error: string | null;
}

/** The popover's connect section. */
export interface ConnectView {
  readonly tunnels: readonly TunnelView[];
  /** null until the first reading while ready. */
  readonly gpu: GpuPanelView | null;
  /** One short line for the tooltip ("GPU 87% · 31/80 GiB · 71 °C"); null when none. */
  readonly gpuLine: string | null;
  readonly hostKey: 'verified' | 'unverified' | null;
  /** `ssh <name>` when CloudRig's ssh config is included; null when not. */
  readonly sshAlias: string | null;
  /** Whether "Open in VS Code" can work (the include is installed). */
  readonly sshConfigInstalled: boolean;
  /** The setup script ran and succeeded: suggest saving an image. */
  readonly suggestSaveImage: boolean;
  /** The folder pushed to this workstation (absent in views made before the app had one). */
  readonly project?: ProjectPushView;
  /** Tunnels marked "Re-open on start" that could not open this time, with why. */
  readonly reopenProblems?: readonly ReopenProblemView[];
  /** The setup script of a fresh instance as the popover follows it; absent or null when there is none to show. */
  readonly setup?: SetupView | null;
}

/** The setup script on a fresh instance: its log while it runs, how it ended. */
export interface SetupView {
  /** `waiting`: the instance is up but cloud-init has not started the script yet. */
  readonly state: 'waiting' | 'running' | 'succeeded' | 'failed';
  /** "Setting up gpu…", "Setup failed on gpu", "Setup finished". */
  readonly title: string;
  /** The log's last lines (at most SETUP_VIEW_LINES), oldest first. */
  readonly lines: readonly string[];
  /** How it failed (cut off, never started, a non-zero exit) and the fix; null unless failed. */
  readonly error: ErrorInfo | null;
  /** Where the whole log is on the box. */
  readonly logPath: string;
  /** Shown once after a success: the button saves an image of the set-up disk (and terminates the instance). */
  readonly suggestion: string | null;
}

/** Screens main may ask the popover to show (from the tray menu). */
export type Screen = 'main' | 'settings' | 'confirm-terminate' | 'confirm-save-and-terminate';

/** A workstation's editable fields, as the settings form shows them (the contract's schema is its one definition). */
export type WorkstationForm = Readonly<z.infer<typeof WorkstationFormSchema>>;

/** A terminal app the user can pick. */
export interface TerminalOption {
  readonly id: string;
  readonly label: string;
  readonly installed: boolean;
}

/** Settings as the renderer may see them: never a secret, only whether keys are stored. */
export interface SettingsView {
  readonly profile: string | null;
  readonly profiles: readonly string[];
  readonly hasStoredKeys: boolean;
  /** Whether typed keys can be stored encrypted here; when not, why and what to do instead. */
  readonly keyStorage: { readonly available: boolean; readonly reason: string | null };
  readonly terminal: string | null;
  readonly terminals: readonly TerminalOption[];
  readonly startAtLogin: boolean;
  readonly regions: readonly string[];
  readonly workstation: WorkstationForm | null;
  /** What the form starts with on first run. */
  readonly defaults: WorkstationForm;
  /** Whether region and name may change (not while an instance exists). */
  readonly locked: boolean;
  /** When to remind about cost, and the budgets. */
  readonly reminders: Reminders;
  /** Paths of fields in settings.json CloudRig does not know (`workstations.gpu.note`); kept as they are. */
  readonly unknownFields: readonly string[];
}

/** A GPU instance type as the type picker lists it. */
export interface InstanceTypeOption extends GpuHardware {
  readonly hourlyUsd: number | null;
}

/** The outcome of one first-run check. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

/** A quota increase the user may file, with what it would ask for. */
export interface QuotaRequestOffer {
  readonly region: string;
  readonly quotaCode: string;
  readonly quotaName: string;
  readonly current: number;
  readonly desired: number;
}

/** What a check is about: the account (first-run checks and `rig doctor`), then the workstation and this machine (`rig doctor`). */
export type CheckId =
  | 'credentials' | 'region' | 'default-vpc' | 'image' | 'quota-on-demand' | 'quota-spot' | 'key-pair' | 'security-group' | 'ssh-config';

/** A vCPU quota as a check read it: `value` null when it could not be read (unknown, never taken as enough). */
export interface QuotaFacts {
  readonly market: 'on-demand' | 'spot';
  /** The market the workstation (or the form) launches in. */
  readonly inUse: boolean;
  readonly region: string;
  readonly quotaCode: string;
  readonly quotaName: string;
  readonly value: number | null;
  /** The vCPUs the instance type needs; null when the type could not be read. */
  readonly need: number | null;
}

/** One first-run check (also `rig doctor`). */
export interface Check {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly title: string;
  readonly detail: string;
  readonly fix: Fix | null;
  /** Present when the vCPU quota is too low and no request is open. */
  readonly quotaRequest: QuotaRequestOffer | null;
  /** On the quota checks: what was read. */
  readonly quota?: QuotaFacts;
}

/** All first-run checks for one region and instance type. */
export interface CheckReport {
  readonly region: string;
  readonly instanceType: string;
  /** The market launches use (its quota check is the one that can fail). */
  readonly spot?: boolean;
  /** The workstation checked (`rig doctor`); null when there is none yet or only the account was checked. */
  readonly workstation?: string | null;
  readonly checks: readonly Check[];
  /** True when nothing failed. */
  readonly ok: boolean;
}

/** What a filed quota increase came back as. */
export interface QuotaRequestResult {
  readonly requestId: string;
  readonly status: string;
  readonly desired: number;
}

// The app side of files and tunnels: the push folder and tunnels re-opened on start.

/** How far a push is. */
export interface PushProgressView {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** e.g. "3 of 12 files · 1.2 MiB of 3.4 MiB". */
  readonly text: string;
}

/** The connect section's push folder: what is chosen, and the last push's progress or outcome. */
export interface ProjectPushView {
  /** The local folder; null when none is chosen yet. */
  readonly local: string | null;
  /** Where it goes on the workstation, e.g. "~/model". */
  readonly remote: string | null;
  readonly pushOnStart: boolean;
  /** While a push runs. */
  readonly progress: PushProgressView | null;
  /** The last push's outcome ("Pushed 12 files (3.4 MiB)", "Up to date"); null before any. */
  readonly result: string | null;
  /** Why the last push failed, with its fix. */
  readonly error: ErrorInfo | null;
  /** Whether Push now can run (ready, a folder chosen, no push running). */
  readonly canPush: boolean;
}

/** A tunnel marked "Re-open on start" that did not open. */
export interface ReopenProblemView {
  readonly label: string;
  readonly localPort: number;
  readonly error: ErrorInfo;
}
