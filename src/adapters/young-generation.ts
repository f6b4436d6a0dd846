import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size for the rest of the process. V8 doubles it
 * whenever many young objects survive a scavenge, as they do while the app starts (the first poll,
 * the scan of every region, prices, the ssh proof, the first GPU reading all at once), and keeps
 * it doubled: about 25 MB of a long-lived process's resident memory, of the ~8 MB the app uses of
 * it once idle. The tray app watches for hours while doing almost nothing, so it turns the growth
 * off; young objects that outgrow it are promoted a little earlier instead. Set at run time, before
 * the start-up burst: the flag is read each time V8 considers growing.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
