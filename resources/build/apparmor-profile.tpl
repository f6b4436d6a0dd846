# AppArmor profile installed by the CloudRig deb (electron-builder's after-install script copies
# it to /etc/apparmor.d). Ubuntu 23.10+ refuses unprivileged user namespaces to unconfined
# programs, and Chromium's sandbox needs them: this profile allows exactly that for CloudRig's
# binary and confines nothing else.
abi <abi/4.0>,
include <tunables/global>

profile cloudrig "/opt/${sanitizedProductName}/${executable}" flags=(unconfined) {
  userns,

  # Local additions: /etc/apparmor.d/local/cloudrig
  include if exists <local/cloudrig>
}
