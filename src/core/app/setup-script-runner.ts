// The user-data part that runs the workstation's setup script once per root volume, on the first
// boot of a fresh instance (setup-script.ts follows what it logs).
import { shellQuote } from '../ssh-command.js';
import { SETUP_DIR, SETUP_LOG } from './setup-script.js';

/** A heredoc delimiter that is no line of `text`. */
function delimiterFor(text: string): string {
  const lines = new Set(text.split('\n').map((line) => line.trim()));
  let delimiter = 'CLOUDRIG_SETUP_SCRIPT';
  for (let n = 1; lines.has(delimiter); n++) delimiter = `CLOUDRIG_SETUP_SCRIPT_${n}`;
  return delimiter;
}

/**
 * The user-data part (bash, run as root by cloud-init) that runs `script` once per root volume, as
 * the ssh user with a login shell (its home, its PATH; the AWS images give it passwordless sudo),
 * or as root when that user does not exist. `CLOUDRIG_SETUP_DIR` moves the files (tests).
 */
export function setupScriptRunner(script: string, sshUser: string): string {
  const delimiter = delimiterFor(script);
  const body = script.endsWith('\n') ? script : `${script}\n`;
  return `#!/bin/bash
# cloudrig-setup-script
# Runs the workstation's setup script once per root volume; its output goes to ${SETUP_DIR}/${SETUP_LOG}.
set -u
dir="\${CLOUDRIG_SETUP_DIR:-${SETUP_DIR}}"
ssh_user=${shellQuote(sshUser)}
if [ -e "$dir/started" ]; then
  echo "cloudrig-setup: already ran on this disk (see $dir/${SETUP_LOG}); not running it again"
  exit 0
fi
install -d -m 0755 "$dir"
# Written whole (then renamed), so a status check never reads it empty or half-written.
{ cat /proc/sys/kernel/random/boot_id 2>/dev/null || date +%s; } > "$dir/started.tmp" && mv -f "$dir/started.tmp" "$dir/started"
cat > "$dir/setup.sh" <<'${delimiter}'
${body}${delimiter}
: > "$dir/${SETUP_LOG}"
chmod 0644 "$dir/${SETUP_LOG}"
if id -u "$ssh_user" >/dev/null 2>&1; then
  chown "$ssh_user" "$dir/setup.sh" "$dir/${SETUP_LOG}"
  chmod 0700 "$dir/setup.sh"
  home="$(getent passwd "$ssh_user" | cut -d: -f6)"
  (cd "\${home:-/}" && runuser -u "$ssh_user" -- env HOME="\${home:-/}" USER="$ssh_user" bash -l "$dir/setup.sh") >> "$dir/${SETUP_LOG}" 2>&1 < /dev/null
else
  chmod 0700 "$dir/setup.sh"
  (cd / && HOME=/root bash -l "$dir/setup.sh") >> "$dir/${SETUP_LOG}" 2>&1 < /dev/null
fi
status=$?
printf '%s\\n' "$status" > "$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
`;
}
