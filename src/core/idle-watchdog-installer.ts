// What cloud-init installs on an instance so an idle machine stops even when the laptop is closed:
// a systemd timer runs a check script every minute; after N idle minutes it shuts the machine
// down, which EC2 turns into a stop (InstanceInitiatedShutdownBehavior=stop).
//
// Idle means all of:
// - no login session (`who`);
// - no ssh connection that has lasted a whole check interval (`ss`, when present): catches VS Code
//   Remote, `ssh host cmd` and port forwards, which `who` does not list, while CloudRig's own short
//   ssh probes (a new source port each time) never keep the machine awake. CloudRig's kept-alive
//   monitoring connection (the GPU panel, `rig stats --watch`) registers itself in MONITORS_DIR
//   while it carries no tunnel and no file transfer, and the check leaves a registered connection
//   out, but only while its registration is fresh (refreshed within MONITOR_FRESH_SECONDS): a
//   stale or unregistered connection counts as use, as any other;
// - every GPU under the busy threshold (`nvidia-smi`, skipped when absent or failing: a broken
//   driver must not keep a machine billing forever);
// - no keep-alive file holding an epoch second in the future (`rig snooze` / Snooze write it);
// - no busy notebook kernel (notebook-kernels.ts); an idle kernel's last activity restarts the stretch.
// What kept the machine up at the last check goes to `busy-reason` in the run directory, one line
// for the laptop to read (keep-up-reason.ts parses and words it): `login ADDRESS`, `ssh ADDRESS`,
// `kernel busy`, `gpu PERCENT` or `keepalive EPOCH`.
// The "idle since" marker lives in /run (tmpfs), so a stale one never stops a machine right after
// its next boot.
import type { WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import { MONITOR_FRESH_SECONDS, MONITORS_DIR, RUN_DIR } from './idle-watchdog.js';
import { shellQuote } from './ssh-command.js';
import { GPU_BUSY_PERCENT, IDLE_MINUTES } from '../shared/limits.js';
import { KERNELS_CHECK } from './notebook-kernels.js';
import { BUSY_REASON_NAME } from './keep-up-reason.js';
import { CLIENT_ALIVE_INSTALL } from './ssh-client-alive.js';

/** Where the installer puts the check script. */
export const CHECK_SCRIPT_PATH = '/usr/local/sbin/cloudrig-idle-check';

/** The watchdog's settings as installed on an instance. */
export interface WatchdogSettings {
  readonly idleMinutes: number;
  readonly gpuBusyPercent: number;
}

// A template literal, so `\${` and `\\n` below are bash's `${` and `\n`.
/** The check script (bash). Its settings come from the environment (see the service's EnvironmentFile). */
export const IDLE_CHECK_SCRIPT = `#!/bin/bash
# CloudRig idle watchdog check, run every minute by cloudrig-idle.timer. Shuts the machine down once
# it has been idle for CLOUDRIG_IDLE_MINUTES: no login session, no lasting ssh connection (CloudRig's
# freshly registered monitoring connections aside), every GPU under CLOUDRIG_GPU_BUSY_PERCENT, no
# keep-alive file holding a future epoch second, no busy notebook kernel.
set -u
export LC_ALL=C # sort and comm agree on one order

idle_minutes="\${CLOUDRIG_IDLE_MINUTES:-60}"
gpu_busy_percent="\${CLOUDRIG_GPU_BUSY_PERCENT:-10}"
keepalive_file="\${CLOUDRIG_KEEPALIVE_FILE:-/var/lib/cloudrig/keepalive}"
run_dir="\${CLOUDRIG_RUN_DIR:-/run/cloudrig}"
ssh_port="\${CLOUDRIG_SSH_PORT:-22}"
shutdown_command="\${CLOUDRIG_SHUTDOWN_COMMAND:-shutdown -h now}"
monitor_fresh_seconds="\${CLOUDRIG_MONITOR_FRESH_SECONDS:-${MONITOR_FRESH_SECONDS}}"

idle_file="$run_dir/idle-since"
busy_file="$run_dir/${BUSY_REASON_NAME}" # what kept the machine awake at the last check; absent when idle
connections_file="$run_dir/ssh-connections"
monitors_dir="$run_dir/monitors"

is_number() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_number "$monitor_fresh_seconds" || monitor_fresh_seconds=${MONITOR_FRESH_SECONDS}

# An address as both sides are compared: no brackets, no IPv4-mapped prefix, no zone.
address_awk='function address(a) { gsub(/^\\[|\\]$/, "", a); sub(/^::ffff:/, "", a); sub(/%.*$/, "", a); return a }
function endpoint(s) { if (!match(s, /:[0-9]+$/)) return ""; return address(substr(s, 1, RSTART - 1)) " " substr(s, RSTART + 1) }'

now="$(date +%s)"
if ! is_number "$now"; then
  echo "cloudrig-idle: cannot read the time" >&2
  exit 1
fi
mkdir -p "$run_dir"
[ -d "$monitors_dir" ] || { mkdir -p "$monitors_dir" && chmod 1777 "$monitors_dir"; }

# ssh connections established now, one "local-address local-port peer-address peer-port" per line;
# lasting = also there a check ago.
current_connections=""
if command -v ss >/dev/null 2>&1; then
  current_connections="$(ss -Htn state established "( sport = :$ssh_port )" 2>/dev/null |
    awk "$address_awk"' { here = endpoint($3); there = endpoint($4); if (here != "" && there != "") print here " " there }' | sort)"
fi
previous_connections=""
[ -r "$connections_file" ] && previous_connections="$(cat "$connections_file")"
printf '%s\\n' "$current_connections" > "$connections_file"

# CloudRig's monitoring connections, each registered by itself as its $SSH_CONNECTION ("client-address
# client-port server-address server-port"). Only a fresh registration of a connection still open
# counts; the others are removed (an ended connection's, or one its session stopped refreshing).
registered_connections=""
for registration in "$monitors_dir"/*.monitor; do
  [ -f "$registration" ] && [ ! -L "$registration" ] || continue
  written="$(stat -c %Y -- "$registration" 2>/dev/null)"
  connection="$(head -c 200 -- "$registration" 2>/dev/null |
    awk "$address_awk"' NR == 1 && NF == 4 && $2 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ { print address($3) " " $4 " " address($1) " " $2 }')"
  if is_number "$written" && [ "$written" -le $((now + 60)) ] && [ $((now - written)) -le "$monitor_fresh_seconds" ] &&
    [ -n "$connection" ] && printf '%s\\n' "$current_connections" | grep -Fxq -- "$connection"; then
    registered_connections+="$connection"$'\\n'
  else
    rm -f -- "$registration"
  fi
done
# The connections that may be use: all but the registered monitors.
unregistered_connections="$current_connections"
if [ -n "$registered_connections" ]; then
  unregistered_connections="$(comm -23 <(printf '%s\\n' "$current_connections") <(printf '%s' "$registered_connections" | sort -u))"
fi

${KERNELS_CHECK}
# One line saying what keeps the machine up (parsed by keep-up-reason.ts), or nothing when idle. Addresses
# are written only when they look like one: the laptop shows them.
busy_reason() {
  local sessions lasting
  sessions="$(who 2>/dev/null)"
  if [ -n "$sessions" ]; then
    echo "login $(printf '%s\\n' "$sessions" | head -n 1 | sed -n 's/.*(\\([0-9A-Fa-f.:]\\{1,45\\}\\))[[:space:]]*$/\\1/p')"
    return
  fi
  if [ -n "$unregistered_connections" ] && [ -n "$previous_connections" ]; then
    lasting="$(comm -12 <(printf '%s\\n' "$unregistered_connections") <(printf '%s\\n' "$previous_connections") | awk 'NF == 4 { print $3; exit }')"
    if [ -n "$lasting" ]; then
      echo "ssh $lasting"
      return
    fi
  fi
  if [ "$kernel_state" = busy ]; then
    echo "kernel busy"
    return
  fi
  if command -v nvidia-smi >/dev/null 2>&1; then
    local utilization
    while read -r utilization; do
      utilization="\${utilization//[^0-9]/}"
      if is_number "$utilization" && [ "$utilization" -ge "$gpu_busy_percent" ]; then
        echo "gpu $utilization"
        return
      fi
    done < <(nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits 2>/dev/null)
  fi
  if [ -r "$keepalive_file" ]; then
    local keep_until
    keep_until="$(head -c 32 "$keepalive_file" | tr -dc '0-9')"
    if is_number "$keep_until" && [ "$keep_until" -gt "$now" ]; then
      echo "keepalive $keep_until"
      return
    fi
  fi
}

reason="$(busy_reason)"
if [ -n "$reason" ]; then
  printf '%s\\n' "$reason" > "$busy_file"
  rm -f "$idle_file"
  exit 0
fi
rm -f "$busy_file"

since=""
[ -r "$idle_file" ] && since="$(tr -dc '0-9' < "$idle_file")"
if ! is_number "$since" || [ "$since" -gt "$now" ]; then
  printf '%s\\n' "$now" > "$idle_file"
  exit 0
fi
# A notebook kernel active since the stretch began (idle now) begins it again at that activity.
if is_number "$kernel_active" && [ "$kernel_active" -gt "$since" ] && [ "$kernel_active" -le "$now" ]; then
  since="$kernel_active"
  printf '%s\\n' "$since" > "$idle_file"
fi

idle_seconds=$((now - since))
if [ "$idle_seconds" -ge $((idle_minutes * 60)) ]; then
  echo "cloudrig-idle: idle for $((idle_seconds / 60)) min (limit $idle_minutes); shutting down"
  $shutdown_command
fi
`;

/** The systemd service that runs one check. */
export const IDLE_SERVICE_UNIT = `[Unit]
Description=CloudRig idle watchdog check

[Service]
Type=oneshot
EnvironmentFile=/etc/cloudrig/idle.env
ExecStart=${CHECK_SCRIPT_PATH}
`;

/** The systemd timer: first check two minutes after boot, then every minute. */
export const IDLE_TIMER_UNIT = `[Unit]
Description=CloudRig idle watchdog, every minute

[Timer]
OnBootSec=2min
OnUnitActiveSec=1min
AccuracySec=10s

[Install]
WantedBy=timers.target
`;

const MARKER = '# cloudrig-idle-watchdog';


/** systemd-tmpfiles lines that make the run and monitors directories at every boot (/run is tmpfs). */
export const MONITORS_TMPFILES = `d ${RUN_DIR} 0755 root root -
d ${MONITORS_DIR} 1777 root root -
`;

/**
 * The installer (bash, run as root by cloud-init): writes the check script, its settings, the
 * service and the timer, hands the keep-alive directory to the ssh user (so Snooze needs no sudo),
 * makes the monitors directory (now, and at every boot through tmpfiles.d, before sshd answers) and
 * enables the timer. `CLOUDRIG_ROOT` installs under another root (tests).
 */
export function idleWatchdogInstaller(settings: WatchdogSettings, sshUser: string): string {
  const { idleMinutes, gpuBusyPercent } = checkedSettings(settings);
  return `#!/bin/bash
${MARKER} idleMinutes=${idleMinutes} gpuBusyPercent=${gpuBusyPercent}
# Installs CloudRig's idle watchdog: stops this machine after ${idleMinutes} idle minutes.
set -euo pipefail
root="\${CLOUDRIG_ROOT:-}"
ssh_user=${shellQuote(sshUser)}

install -d -m 0755 "$root/usr/local/sbin" "$root/etc/cloudrig" "$root/etc/systemd/system" "$root/etc/tmpfiles.d" "$root/var/lib/cloudrig"
# Where CloudRig's monitoring connections register (sticky: each writer removes only its own files).
cat > "$root/etc/tmpfiles.d/cloudrig.conf" <<'CLOUDRIG_TMPFILES'
${MONITORS_TMPFILES}CLOUDRIG_TMPFILES
install -d -m 0755 "$root${RUN_DIR}"
install -d -m 1777 "$root${MONITORS_DIR}"
cat > "$root${CHECK_SCRIPT_PATH}" <<'CLOUDRIG_CHECK_SCRIPT'
${IDLE_CHECK_SCRIPT}CLOUDRIG_CHECK_SCRIPT
chmod 0755 "$root${CHECK_SCRIPT_PATH}"

cat > "$root/etc/cloudrig/idle.env" <<'CLOUDRIG_IDLE_ENV'
CLOUDRIG_IDLE_MINUTES=${idleMinutes}
CLOUDRIG_GPU_BUSY_PERCENT=${gpuBusyPercent}
CLOUDRIG_IDLE_ENV

cat > "$root/etc/systemd/system/cloudrig-idle.service" <<'CLOUDRIG_SERVICE'
${IDLE_SERVICE_UNIT}CLOUDRIG_SERVICE

cat > "$root/etc/systemd/system/cloudrig-idle.timer" <<'CLOUDRIG_TIMER'
${IDLE_TIMER_UNIT}CLOUDRIG_TIMER

if id -u "$ssh_user" >/dev/null 2>&1; then
  chown "$ssh_user" "$root/var/lib/cloudrig"
fi
systemctl daemon-reload
systemctl enable --now cloudrig-idle.timer
${CLIENT_ALIVE_INSTALL}`;
}

/**
 * Launch user data (cloud-init runs a `#!` script once, as root) that installs the watchdog with the
 * workstation's settings; null when auto-stop is off.
 */
export function userDataFor(spec: WorkstationSpec): string | null {
  if (!spec.autoStop.enabled) return null;
  return idleWatchdogInstaller(spec.autoStop, spec.sshUser);
}

/** The watchdog settings an instance's user data installs, or null when it installs none. */
export function watchdogSettingsFromUserData(userData: string | null): WatchdogSettings | null {
  const match = userData?.match(/^# cloudrig-idle-watchdog idleMinutes=(\d+) gpuBusyPercent=(\d+)$/m);
  if (!match) return null;
  return { idleMinutes: Number(match[1]), gpuBusyPercent: Number(match[2]) };
}

function checkedSettings(settings: WatchdogSettings): WatchdogSettings {
  const idleMinutes = Math.trunc(settings.idleMinutes);
  const gpuBusyPercent = Math.trunc(settings.gpuBusyPercent);
  // The watchdog itself runs with any minute count from 1 (tests use short ones); settings ask for IDLE_MINUTES.min.
  if (!(idleMinutes >= 1 && idleMinutes <= IDLE_MINUTES.max) || !(gpuBusyPercent >= GPU_BUSY_PERCENT.min && gpuBusyPercent <= GPU_BUSY_PERCENT.max)) {
    const range = `1–${IDLE_MINUTES.max} idle minutes and a GPU threshold of ${GPU_BUSY_PERCENT.min}–${GPU_BUSY_PERCENT.max}%`;
    throw new CloudRigError('InvalidAutoStop', `Auto-stop needs ${range}.`, { action: 'correct-input', field: 'autoStop', hint: `give ${range}.` });
  }
  return { idleMinutes, gpuBusyPercent };
}
