// The façade's module for the faces (the CLI's commands, the tray app's view-model): the use cases
// (Rig and its parts), the types of what they return, the wording rules of the use cases, and the
// use cases that run over a session the façade opened (tunnels, stats, the setup log, file copies).
// A face imports core through this module only; lint holds it to that.
export { Rig } from './rig.js';
export type { AccountUseCases } from './rig-account.js';
export type { ConnectUseCases } from './rig-connect.js';
export type { CostReportWithChart, CostUseCases, WorkstationCostNow } from './cost.js';
export type { SshConfigUseCases } from './rig-ssh-config.js';
export type { WorkstationChoice, ChoiceRule } from './workstation-choice.js';
export { choiceReason } from './workstation-choice.js';
export type { DefaultRegion, GpuOfferList, SshConfigChange, SshConfigStatus } from './cloudrig-core.js';
export type { RunOptions } from './lifecycle.js';
export { followSetup, setupFailure, setupLogPath, setupOutcomeWords, type FollowMode, type SetupOutcome } from './setup-script.js';
export type { RemoteSession } from './remote-access.js';
export type { KeptSession } from './session-reconnect.js';
export { forwardJupyter, remoteFolder, remoteFolderUri } from './connect.js';
export { isTunnelWord, localUrl, openTunnels, parseTunnelSpecs, type OpenTunnel } from './tunnels.js';
export { readStats, STATS_INTERVAL_MS, watchStats, type StatsReading } from './stats.js';
export { isIgnoredIn, type CopyProgress, type FileCopier, type FileTree, type KeptPath, type SyncSummary } from './files.js';
export { syncTree } from './file-sync.js';
export type { Push, PushCopyOptions, PushRequest } from './push.js';
export { watchAndSync } from './file-watch.js';
export { uncoveredRemoval, type Removal, type RemovalChoices, type RemovalPlan } from './remove-workstation.js';
export type { ResizePlan, ResizeResult } from './resize.js';
export type { ArchivePlan, ArchiveResult, ArchiveSaving } from './archive.js';
export type { CleanPlans, RemovalResult } from './account-sweep.js';
export type { DoctorRequest } from './doctor.js';
export { requestOfForm, type SpecRequest, type SetUpResult } from './workstation-setup.js';

// Domain values and rules the CLI words itself: its errors, validators, formats and the ssh line.
export { monthlyCostText, projectionText, type AccountScan, type CleanPlan, type InventoryResource, type PricedResource, type RegionScan } from '../account-inventory.js';
export { rateWords } from '../billed-failure.js';
export { duplicatesError, spotInterruptionNotice } from '../duplicates.js';
export { CloudRigError, toErrorInfo } from '../errors.js';
export { formatUsd, hoursAndMinutes } from '../format.js';
export { quotaAllows, selectGpuOffers, type GpuOffer } from '../gpu-catalog.js';
export { gpuOfferRow } from '../gpu-offer-rows.js';
export { isChangeCommand, type ChangeCommand } from '../home-changes.js';
export type { IdleStatus } from '../idle-watchdog.js';
export { ingressWarning } from '../ingress.js';
export { keepUpReasonText } from '../keep-up-reason.js';
export type { SshClient } from '../ports.js';
export type { HourlyRate, Price } from '../price-catalog.js';
export type { SkyPilotTask } from '../skypilot-task.js';
export { shellQuote, sshArgs } from '../ssh-command.js';
export { displayedSshCommand } from '../ssh-config.js';
export { validateAmiId, validateCidr, validateGpuSpec, validateInstanceType, validateInteger, validateName, validateParameterPath, validateRegion, validateSetupScript, validateSshHost, validateSshUser } from '../validate.js';
export { resourceName } from '../workstation-service.js';
