/**
 * The IPC channel names (`domain:verb`) and the function name the preload exposes for each.
 * Kept apart from the zod schemas in contract.ts so the preload bundles names only.
 */
export const REQUEST_METHODS = {
  'view:get': 'getView',
  'workstation:save': 'saveWorkstation',
  'workstation:start': 'start',
  'workstation:stop': 'stop',
  'workstation:terminate': 'terminate',
  'workstation:archive': 'archive',
  'workstation:refresh': 'refresh',
  'ssh:copy': 'copySshCommand',
  'terminal:open': 'openTerminal',
  'settings:get': 'getSettings',
  'settings:update': 'updateSettings',
  'credentials:save': 'saveAccessKeys',
  'credentials:clear': 'clearAccessKeys',
  'catalog:list': 'listInstanceTypes',
  'checks:run': 'runChecks',
  'quota:request': 'requestQuota',
  'link:open': 'openLink',
  'window:hide': 'hideWindow',
  'reminder:answer': 'answerReminder',
  'workstation:select': 'selectWorkstation',
  'forgotten:dismiss': 'dismissForgotten',
  'forgotten:open': 'openForgottenInConsole',
  'jupyter:open': 'openJupyter',
  'tunnel:tensorboard': 'openTensorBoard',
  'tunnel:browse': 'browseTunnel',
  'tunnel:close': 'closeTunnel',
  'editor:open': 'openInVsCode',
  'setup:copy': 'copySetupLogCommand',
  'setup:open': 'openSetupLog',
  'setup:dismiss': 'dismissSetupSuggestion',
  // The push folder, custom and re-opened tunnels.
  'project:choose': 'chooseProjectFolder',
  'project:push': 'pushProjectNow',
  'project:update': 'updateProjectFolder',
  'tunnel:reopen': 'setTunnelReopen',
  'tunnel:open': 'openCustomTunnel',
  // The instance-type picker: GPU offers of a region or of all regions.
  'gpus:list': 'listGpuOffers',
  // Change type…: the picker's rows for the workstation, the checks and prices, the change.
  'resize:choices': 'listResizeChoices',
  'resize:plan': 'planTypeChange',
  'resize:apply': 'changeType',
} as const;

/** Events main pushes to the popover, and the `on…` function the preload exposes for each. */
export const EVENT_METHODS = {
  'view:changed': 'onView',
  'screen:show': 'onScreen',
} as const;
