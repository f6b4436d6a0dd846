// sshd's client-alive check on the workstation. A laptop that sleeps with a connection open (the
// app's panel, a tunnel, VS Code) never closes it: without this, sshd keeps it until TCP gives up,
// which takes hours, and all that while the watchdog sees a lasting ssh connection and keeps the box
// (and its bill) up. With it, sshd asks the client every interval over the encrypted channel and
// ends the connection after that many unanswered asks. A live client answers on its own; a
// sleeping one does not.

/** Seconds between sshd's checks on a quiet connection. */
export const CLIENT_ALIVE_INTERVAL_SECONDS = 60;

/** Unanswered checks before sshd ends the connection: a sleeping laptop's ends within four minutes. */
export const CLIENT_ALIVE_COUNT_MAX = 3;

/** The drop-in's path (sshd reads /etc/ssh/sshd_config.d/*.conf first, in order, and the first value wins). */
export const CLIENT_ALIVE_DROP_IN = '/etc/ssh/sshd_config.d/20-cloudrig-client-alive.conf';

/** The drop-in's text. */
export const CLIENT_ALIVE_CONFIG = `# CloudRig: end the connections of clients that stopped answering (a sleeping laptop) within minutes,
# so they do not keep the idle auto-stop from stopping this machine.
ClientAliveInterval ${CLIENT_ALIVE_INTERVAL_SECONDS}
ClientAliveCountMax ${CLIENT_ALIVE_COUNT_MAX}
`;

// A template literal, so `\${` is bash's `${`.
/**
 * The installer's part (bash, as root; `$root` is the install root) that writes the drop-in, checks
 * the whole configuration with `sshd -t` and reloads sshd. A configuration sshd refuses is never
 * left behind: the drop-in is removed again, so ssh to the box keeps working as before.
 */
export const CLIENT_ALIVE_INSTALL = `sshd_bin="$(command -v sshd || echo /usr/sbin/sshd)"
if [ -d "$root/etc/ssh" ]; then
  install -d -m 0755 "$root/etc/ssh/sshd_config.d"
  cat > "$root${CLIENT_ALIVE_DROP_IN}" <<'CLOUDRIG_SSHD'
${CLIENT_ALIVE_CONFIG}CLOUDRIG_SSHD
  chmod 0644 "$root${CLIENT_ALIVE_DROP_IN}"
  if "$sshd_bin" -t -f "$root/etc/ssh/sshd_config"; then
    systemctl reload ssh.service 2>/dev/null || systemctl reload sshd.service 2>/dev/null || true
  else
    echo "cloudrig: sshd refused the client-alive settings; left sshd as it was" >&2
    rm -f "$root${CLIENT_ALIVE_DROP_IN}"
  fi
fi
`;
