/** One row of the popover's "Elsewhere in this account": a running instance CloudRig did not start. */
export interface ElsewhereRow {
  readonly instanceId: string;
  /** `g4dn.xlarge in ap-southeast-2`. */
  readonly title: string;
  /** `up 3h05m · $0.71/h`, or what is unknown. */
  readonly detail: string;
  /** The EC2 console page of the instance (opened through the app's allowlisted openExternal). */
  readonly consoleUrl: string;
  /** The user said "Don't tell me about this one again": listed, never notified. */
  readonly dismissed: boolean;
}

/** The popover's "Elsewhere in this account" list; computed in core from the last scan. */
export interface ElsewhereView {
  readonly rows: readonly ElsewhereRow[];
  /** `2 running · $5.68/h in total`; null when the list is empty. */
  readonly summary: string | null;
  /** Epoch ms of the scan the list comes from; null before the first scan. */
  readonly scannedAt: number | null;
  /** Volumes, snapshots, images and Elastic IPs billing in the account (absent before the first account scan). */
  readonly idle?: IdleView | null;
}

/** One row of the popover's "Idle in this account": a volume, snapshot, image or Elastic IP that bills by the month. */
export interface IdleRow {
  /** `vol-…`, `snap-…`, `ami-…`, `eipalloc-…`. */
  readonly id: string;
  /** `Volume, 100 GiB, unattached, in eu-west-1`. */
  readonly title: string;
  /** `$8.00/month (bundled price) · CloudRig's (gpu)`. */
  readonly detail: string;
  /** Whether CloudRig made it (so `rig clean` may remove it). */
  readonly cloudrig: boolean;
}

/** What the hourly account scan found billing without an instance, and the month's projection. */
export interface IdleView {
  readonly rows: readonly IdleRow[];
  /** `about $12.40/month in 2 regions`: everything billed, instances included. */
  readonly summary: string;
  /** Regions that could not be read this time. */
  readonly failedRegions: readonly string[];
}
