import type { Scheduler } from '../core/app/cloudrig-core.js';

/** The host's timers; unref'd, so a pending one never keeps `rig` or a test process alive. */
export const systemScheduler: Scheduler = {
  every(ms, work) {
    const timer = setInterval(work, ms);
    timer.unref?.();
    return () => clearInterval(timer);
  },
  after(ms, work) {
    const timer = setTimeout(work, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};
