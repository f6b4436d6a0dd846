import * as z from 'zod';
import { DISK_GIB, IDLE_MINUTES, SSH_PORT, WORKSTATION_NAME_PATTERN } from './limits.js';
import { SetupScriptSchema, SSH_USER_PATTERN } from './workstation.js';

// Its own module, below both the IPC contract (which validates `workstation:save` with it) and the
// views (whose settings form is typed from it), so neither imports the other.

/** The workstation form as sent by the popover. Validated again by core before any AWS call. */
export const WorkstationFormSchema = z.object({
  name: z.string().regex(WORKSTATION_NAME_PATTERN, 'Use lowercase letters, digits and dashes (up to 31).'),
  region: z.string().min(1).max(32),
  instanceType: z.string().min(1).max(32),
  imageKind: z.enum(['parameter', 'ami']),
  image: z.string().min(1).max(2048),
  diskGiB: z.number().int().min(DISK_GIB.min).max(DISK_GIB.max),
  spot: z.boolean(),
  sshUser: z.string().regex(SSH_USER_PATTERN, 'A Unix user name, e.g. ubuntu.'),
  /** Empty means the instance's public address. */
  sshHost: z.string().max(253).regex(/^[A-Za-z0-9.:-]*$/, 'A host name or IP address.'),
  sshPort: z.number().int().min(SSH_PORT.min).max(SSH_PORT.max),
  ingressCidr: z.string().min(1).max(64),
  /** Explicit confirmation that 0.0.0.0/0 is meant (checked again by core). */
  ingressAnywhere: z.boolean().optional(),
  /** The on-instance idle watchdog (installed at launch). */
  autoStopEnabled: z.boolean(),
  autoStopMinutes: z.number().int().min(IDLE_MINUTES.min, `At least ${IDLE_MINUTES.min} idle minutes.`).max(IDLE_MINUTES.max, `At most ${IDLE_MINUTES.max} idle minutes (a day).`),
  /** The script run once on a fresh instance's first boot; empty means none. Absent leaves it as saved. */
  setupScript: z.union([z.literal(''), SetupScriptSchema]).optional(),
}).strict();
