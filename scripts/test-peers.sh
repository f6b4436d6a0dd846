#!/usr/bin/env bash
# Makes sure the real peers the tests talk to are installed: OpenSSH sshd, Debian chromium, bash-completion,
# Xvfb + xterm (terminal launch test) and moto_server. Installs what is missing when it can
# (root or passwordless sudo on Debian/Ubuntu); otherwise says exactly what to install.
set -euo pipefail

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v xterm >/dev/null 2>&1 || missing+=(xterm)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
  if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: the tests need these system packages: ${missing[*]}. Fix: install them (Debian: sudo apt-get install -y ${missing[*]})." >&2
    exit 1
  fi
  echo "Installing test peers: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v moto_server >/dev/null 2>&1; then
  echo "moto_server not found; installing moto[server] with pip"
  python3 -m pip install --quiet 'moto[server]==5.2.1' || {
    echo "error: moto_server is missing. Fix: python3 -m pip install 'moto[server]==5.2.1'." >&2
    exit 1
  }
fi
