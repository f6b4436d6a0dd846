import * as z from 'zod';
import { EVENT_METHODS, REQUEST_METHODS } from './channels.js';
import type {
  AppView,
  CheckReport,
  InstanceTypeOption,
  QuotaRequestResult,
  Screen,
  SettingsView,
  TunnelView,
} from './views.js';
import type { ErrorInfo } from './workstation.js';
import { GPU_MODEL_PATTERN, type GpuOffersQuery, type GpuOffersView } from './gpu-offers.js';
import type { ResizeChoicesView, ResizeOutcomeView, ResizePlanView } from './resize-view.js';
import { BUDGET_USD, IDLE_MINUTES } from './limits.js';
import { WorkstationFormSchema } from './workstation-form.js';

/**
 * The IPC contract between the popover and main: every channel (`domain:verb`), the zod schema
 * its payload must pass, the named function the preload exposes for it, and what it answers.
 * Main validates every payload against these schemas; the renderer only sees the named functions.
 */

/** Channels that take nothing. */
const None = z.undefined();

/** Where links may go: a name, never a URL from the renderer. */
export const LINK_TARGETS = ['service-quotas', 'aws-credentials-help'] as const;
export type LinkTarget = (typeof LINK_TARGETS)[number];

/** Access keys typed into the settings view; stored only encrypted, never sent back. */
export const AccessKeysSchema = z.object({
  accessKeyId: z.string().trim().regex(/^[A-Z0-9]{16,128}$/, 'An access key id is 16–128 capital letters and digits (AKIA…).'),
  secretAccessKey: z.string().trim().min(16).max(256),
  sessionToken: z.string().trim().max(4096).optional(),
}).strict();
export type AccessKeys = z.infer<typeof AccessKeysSchema>;

/** Reminder settings as the popover sends them: every field, so nothing falls back to a default unseen. */
export const RemindersChangeSchema = z.object({
  afterHours: z.number().min(0.25, 'At least a quarter of an hour.').max(48, 'At most 48 hours.'),
  repeatHours: z.number().min(0.25, 'At least a quarter of an hour.').max(48, 'At most 48 hours.'),
  /** Local `HH:MM`; null turns the daily reminder off. */
  dailyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time such as 23:00.').nullable(),
  idleMinutes: z.number().int().min(IDLE_MINUTES.min, `At least ${IDLE_MINUTES.min} minutes.`).max(IDLE_MINUTES.max, `At most ${IDLE_MINUTES.max} minutes.`),
  monthlyBudgetUsd: z.number().min(BUDGET_USD.min).max(BUDGET_USD.max).nullable(),
  sessionBudgetUsd: z.number().min(BUDGET_USD.min).max(BUDGET_USD.max).nullable(),
  autoStopAtBudget: z.boolean(),
}).strict();

/** The app-level settings the popover may change. */
export const SettingsChangeSchema = z.object({
  profile: z.string().max(128).regex(/^[\w.@+-]*$/).nullable().optional(),
  terminal: z.string().max(64).nullable().optional(),
  startAtLogin: z.boolean().optional(),
  reminders: RemindersChangeSchema.optional(),
}).strict();

/** The user's answer to the reminder the popover shows. */
export const ReminderAnswerSchema = z.object({ action: z.enum(['stop', 'snooze', 'archive', 'dismiss']) }).strict();

/** What the instance-type picker asks for: the form's region, or every enabled region for one GPU model. */
const GpuModelSchema = z.string().regex(GPU_MODEL_PATTERN, 'A GPU model such as T4, A10G or NVIDIA L4.').nullable();
export const GpuOffersQuerySchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('region'), region: z.string().min(1).max(32), gpu: GpuModelSchema }).strict(),
  z.object({ scope: z.literal('all-regions'), gpu: GpuModelSchema }).strict(),
]) satisfies z.ZodType<GpuOffersQuery>;

/** The schema each request channel's payload must pass. */
const payloads = {
  'view:get': None,
  'workstation:save': WorkstationFormSchema,
  'workstation:start': None,
  'workstation:stop': None,
  'workstation:terminate': z.object({ saveImage: z.boolean() }).strict(),
  'workstation:archive': None,
  'workstation:refresh': None,
  'ssh:copy': None,
  'terminal:open': None,
  'settings:get': None,
  'settings:update': SettingsChangeSchema,
  'credentials:save': AccessKeysSchema,
  'credentials:clear': None,
  'catalog:list': z.object({ region: z.string().min(1).max(32) }).strict(),
  'checks:run': z.object({ region: z.string().min(1).max(32), instanceType: z.string().min(1).max(32), spot: z.boolean() }).strict(),
  'quota:request': z.object({
    region: z.string().min(1).max(32),
    quotaCode: z.string().regex(/^L-[0-9A-F]{8}$/),
    desired: z.number().int().min(1).max(100_000),
  }).strict(),
  'link:open': z.object({ target: z.enum(LINK_TARGETS), region: z.string().regex(/^[a-z0-9-]{1,32}$/) }).strict(),
  'window:hide': None,
  'reminder:answer': ReminderAnswerSchema,
  'workstation:select': z.object({ name: z.string().min(1).max(64) }).strict(),
  'forgotten:dismiss': z.object({ instanceId: z.string().regex(/^i-[0-9a-f]{1,32}$/) }).strict(),
  'forgotten:open': z.object({ instanceId: z.string().regex(/^i-[0-9a-f]{1,32}$/) }).strict(),
  'jupyter:open': None,
  'tunnel:tensorboard': None,
  'tunnel:browse': z.object({ localPort: z.number().int().min(1).max(65_535) }).strict(),
  'tunnel:close': z.object({ localPort: z.number().int().min(1).max(65_535) }).strict(),
  'editor:open': None,
  'setup:copy': None,
  'setup:open': None,
  'setup:dismiss': None,
  'project:choose': None,
  'project:push': None,
  /** The local folder only ever comes from the system dialog in main, never from the renderer. */
  'project:update': z.object({ pushOnStart: z.boolean().optional(), remote: z.string().max(1024).optional() }).strict(),
  'tunnel:reopen': z.object({ localPort: z.number().int().min(1).max(65_535), reopen: z.boolean() }).strict(),
  'tunnel:open': z.object({ localPort: z.number().int().min(1).max(65_535), remotePort: z.number().int().min(1).max(65_535) }).strict(),
  // The instance-type picker: GPU offers of a region or of all regions.
  'gpus:list': GpuOffersQuerySchema,
  // Change type…: the picker's rows for the workstation, the checks and prices, the change.
  'resize:choices': z.object({ purpose: z.enum(['change', 'capacity']) }).strict(),
  'resize:plan': z.object({ instanceType: z.string().min(1).max(32), skipDriverCheck: z.boolean() }).strict(),
  'resize:apply': z.object({ instanceType: z.string().min(1).max(32), stopFirst: z.boolean(), skipDriverCheck: z.boolean(), startAfter: z.boolean() }).strict(),
} as const satisfies Record<keyof typeof REQUEST_METHODS, z.ZodType>;

type RequestTable = { readonly [C in keyof typeof REQUEST_METHODS]: { readonly method: (typeof REQUEST_METHODS)[C]; readonly payload: (typeof payloads)[C] } };

/** Every request channel: the name the preload exposes on `window.cloudrig`, and its payload schema. */
export const requestChannels = Object.fromEntries(
  Object.entries(REQUEST_METHODS).map(([channel, method]) => [channel, { method, payload: payloads[channel as keyof typeof payloads] }]),
) as RequestTable;

/** What each request channel answers with (inside a Result). */
export interface Responses {
  'view:get': AppView;
  'workstation:save': AppView;
  'workstation:start': AppView;
  'workstation:stop': AppView;
  'workstation:terminate': AppView;
  'workstation:archive': AppView;
  'workstation:refresh': AppView;
  'ssh:copy': { readonly copied: string };
  'terminal:open': { readonly terminal: string };
  'settings:get': SettingsView;
  'settings:update': SettingsView;
  'credentials:save': SettingsView;
  'credentials:clear': SettingsView;
  'catalog:list': readonly InstanceTypeOption[];
  'checks:run': CheckReport;
  'quota:request': QuotaRequestResult;
  'link:open': null;
  'window:hide': null;
  'reminder:answer': AppView;
  'workstation:select': AppView;
  'forgotten:dismiss': AppView;
  'forgotten:open': null;
  'jupyter:open': TunnelView;
  'tunnel:tensorboard': TunnelView;
  'tunnel:browse': null;
  'tunnel:close': AppView;
  'editor:open': { readonly link: string };
  'setup:copy': { readonly copied: string };
  'setup:open': { readonly terminal: string };
  'setup:dismiss': AppView;
  'project:choose': AppView;
  'project:push': AppView;
  'project:update': AppView;
  'tunnel:reopen': AppView;
  'tunnel:open': TunnelView;
  'gpus:list': GpuOffersView;
  'resize:choices': ResizeChoicesView;
  'resize:plan': ResizePlanView;
  'resize:apply': ResizeOutcomeView;
}

/** Events main pushes to the popover, with the listener name the preload exposes. */
export const eventChannels = Object.fromEntries(
  Object.entries(EVENT_METHODS).map(([channel, method]) => [channel, { method }]),
) as { readonly [E in keyof typeof EVENT_METHODS]: { readonly method: (typeof EVENT_METHODS)[E] } };

/** What each event carries. */
export interface Events {
  'view:changed': AppView;
  'screen:show': Screen;
}

export type RequestChannel = keyof typeof requestChannels;
export type EventChannel = keyof typeof eventChannels;

/** The payload a channel accepts (before parsing). */
export type PayloadOf<C extends RequestChannel> = z.input<(typeof requestChannels)[C]['payload']>;
/** The payload after the schema parsed it. */
export type ParsedPayloadOf<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['payload']>;

/** Every answer is a value: the result, or an error the user can act on. Nothing throws across IPC. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

type RequestFunction<C extends RequestChannel> = [PayloadOf<C>] extends [undefined]
  ? () => Promise<Result<Responses[C]>>
  : (payload: PayloadOf<C>) => Promise<Result<Responses[C]>>;

/** `window.cloudrig`: one named function per channel, one `on…` per event. */
export type CloudrigApi = {
  readonly [C in RequestChannel as (typeof requestChannels)[C]['method']]: RequestFunction<C>;
} & {
  readonly [E in EventChannel as (typeof eventChannels)[E]['method']]: (listener: (value: Events[E]) => void) => () => void;
};

/** Whether a string names a request channel of the contract. */
export function isRequestChannel(channel: unknown): channel is RequestChannel {
  return typeof channel === 'string' && Object.hasOwn(REQUEST_METHODS, channel);
}
