/** How many samples each item takes and how long its windows last. */
export interface Samples {
  /** True for `--smoke`: every row runs once, to show the bench still works; no target is judged. */
  readonly smoke: boolean;
  /** Notice latency: stop/start transitions watched. */
  readonly noticeTransitions: number;
  /** Tray in step with `rig`: `rig stop`s followed by the tray. */
  readonly inStepStops: number;
  /** SSH-ready latency: starts of sshd. */
  readonly sshStarts: number;
  /** Idle API calls: real time a steady window may last (it ends sooner after a simulated hour). */
  readonly idleRealCapMs: number;
  /** Idle API calls: real time of the ssh-never-answers window. */
  readonly idleBusyCapMs: number;
  /** All-region scan: timed scans per latency, sequential ones (first latency only), extra moto processes. */
  readonly scanRepeats: number;
  readonly scanSequentialRepeats: number;
  readonly scanExtraMotos: number;
  /** Cold start and push: timed whole-process runs of each command, and untimed warm-ups before them. */
  readonly cliRuns: number;
  readonly cliDiagnosticRuns: number;
  readonly pushRuns: number;
  readonly warmUps: number;
  /** Footprint and renderer: the idle watcher's window, and the cold loads of the popover in Chromium. */
  readonly footprintWindowMs: number;
  readonly rendererLoads: number;
  readonly rendererBlankLoads: number;
}

/** The measurement: enough samples for a median and a p95, and the windows DESIGN.md speaks of. */
export const FULL_SAMPLES: Samples = {
  smoke: false,
  noticeTransitions: 20,
  inStepStops: 8,
  sshStarts: 12,
  idleRealCapMs: 12_000,
  idleBusyCapMs: 4_000,
  scanRepeats: 5,
  scanSequentialRepeats: 2,
  scanExtraMotos: 3,
  cliRuns: 10,
  cliDiagnosticRuns: 5,
  pushRuns: 5,
  warmUps: 1,
  footprintWindowMs: 60_000,
  rendererLoads: 10,
  rendererBlankLoads: 5,
};

/**
 * `--smoke`: the fewest samples that still run every row's code (one each, no warm-ups, windows
 * of a few seconds, one extra moto so the parallel peer is still two processes), so CI notices
 * when the bench breaks. The figures mean nothing as measurements.
 */
export const SMOKE_SAMPLES: Samples = {
  smoke: true,
  noticeTransitions: 1,
  inStepStops: 1,
  sshStarts: 1,
  idleRealCapMs: 1_500,
  idleBusyCapMs: 1_000,
  scanRepeats: 1,
  scanSequentialRepeats: 1,
  scanExtraMotos: 1,
  cliRuns: 1,
  cliDiagnosticRuns: 1,
  pushRuns: 1,
  warmUps: 0,
  footprintWindowMs: 3_000,
  rendererLoads: 1,
  rendererBlankLoads: 1,
};
