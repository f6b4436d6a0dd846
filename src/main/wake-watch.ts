import { net, powerMonitor } from 'electron';
import type { AppSession } from '../core/app/app-face.js';

/** How often main asks whether the network came back (Electron has no event for it). */
const ONLINE_POLL_MS = 15_000;

/**
 * Looks again when the laptop wakes (resume, screen unlock) and when the network comes back, and
 * has the kept ssh session prove itself (one that died while asleep is reconnected at once). A
 * resume or a network coming back may have moved the public address: it is followed, and a notice
 * says what changed. Returns the function that stops the online poll.
 */
export function watchWakeAndNetwork(session: AppSession): () => void {
  const followDrift = (): void => session.attempt(() => session.followAddressDrift());
  powerMonitor.on('resume', () => {
    session.afterWake();
    followDrift();
  });
  powerMonitor.on('unlock-screen', () => session.afterWake());
  let online = net.isOnline();
  const onlinePoll = setInterval(() => {
    const now = net.isOnline();
    if (now && !online) {
      session.afterWake();
      followDrift();
    }
    online = now;
  }, ONLINE_POLL_MS);
  return () => clearInterval(onlinePoll);
}
