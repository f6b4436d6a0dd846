#!/usr/bin/env bash
# Builds the app and packages it with electron-builder for the OS this runs on, signing only with
# what the environment provides. Used by .github/workflows/ci.yml (`never`) and release.yml
# (`always`); docs/release.md says which secret feeds which variable.
#
#   scripts/package-app.sh never|always
#
# PACKAGE_DRY_RUN=1 prints the electron-builder command instead of running anything (for tests).
set -euo pipefail
cd "$(dirname "$0")/.."

publish="${1:?usage: scripts/package-app.sh never|always}"
os="${RUNNER_OS:-$(uname -s)}"

# GitHub Actions passes a secret that is not set as an empty string, and electron-builder reads an
# empty CSC_LINK as a certificate to import: drop every empty signing variable.
signing=(CSC_LINK CSC_KEY_PASSWORD WIN_CSC_LINK WIN_CSC_KEY_PASSWORD
  APPLE_API_KEY APPLE_API_KEY_ID APPLE_API_ISSUER APPLE_ID APPLE_APP_SPECIFIC_PASSWORD APPLE_TEAM_ID
  AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
  AZURE_SIGNING_ENDPOINT AZURE_SIGNING_ACCOUNT AZURE_SIGNING_PROFILE AZURE_SIGNING_PUBLISHER)
for name in "${signing[@]}"; do
  if [ -z "${!name:-}" ]; then unset "$name"; fi
done

args=(--publish "$publish")
case "$os" in
  macOS | Darwin)
    # Only the macOS job may use CSC_LINK: on Windows electron-builder would fall back to it.
    if [ -z "${CSC_LINK:-}" ]; then
      # No Developer ID: sign ad hoc. Left unsigned, the arm64 app would not even start (flipping
      # the fuses breaks Electron's own signature); ad-hoc code cannot pass the hardened runtime's
      # library validation, and only notarization needs the hardened runtime.
      echo "package-app: no CSC_LINK: the app is signed ad hoc, not notarized (Gatekeeper will warn; docs/release.md)"
      args+=(-c.mac.identity=- -c.mac.hardenedRuntime=false)
    else
      if [ -n "${APPLE_API_KEY:-}" ] && [ ! -f "$APPLE_API_KEY" ]; then
        # The secret holds the .p8 key itself; notarytool wants a path to it.
        key_file="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/cloudrig-notary-key.p8"
        (umask 077 && printf '%s\n' "$APPLE_API_KEY" >"$key_file")
        export APPLE_API_KEY="$key_file"
      fi
      if [ -z "${APPLE_API_KEY:-}" ] && [ -z "${APPLE_ID:-}" ]; then
        # Signed but not notarized is refused by Gatekeeper just as unsigned is, with no way round
        # it offered: fail here rather than ship that.
        echo "error: CSC_LINK is set but no notarization credentials are. Fix: set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER (or APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID) as secrets, or remove CSC_LINK for an ad-hoc build (docs/release.md)." >&2
        exit 1
      fi
    fi
    unset WIN_CSC_LINK WIN_CSC_KEY_PASSWORD
    ;;
  Windows | MINGW* | MSYS*)
    if [ -n "${AZURE_SIGNING_ENDPOINT:-}" ]; then
      # Azure Trusted Signing: its account is configuration electron-builder must not see on a build
      # without the service (it would try to sign and fail), so it is given here, not in the yml.
      # The TrustedSigning module authenticates with AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET.
      for name in AZURE_SIGNING_ACCOUNT AZURE_SIGNING_PROFILE AZURE_SIGNING_PUBLISHER AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET; do
        if [ -z "${!name:-}" ]; then
          echo "error: AZURE_SIGNING_ENDPOINT is set but $name is not. Fix: set $name as a secret (docs/release.md), or remove AZURE_SIGNING_ENDPOINT to sign with WIN_CSC_LINK." >&2
          exit 1
        fi
      done
      args+=(
        "-c.win.azureSignOptions.endpoint=$AZURE_SIGNING_ENDPOINT"
        "-c.win.azureSignOptions.codeSigningAccountName=$AZURE_SIGNING_ACCOUNT"
        "-c.win.azureSignOptions.certificateProfileName=$AZURE_SIGNING_PROFILE"
        "-c.win.azureSignOptions.publisherName=$AZURE_SIGNING_PUBLISHER"
      )
      unset WIN_CSC_LINK WIN_CSC_KEY_PASSWORD
    elif [ -z "${WIN_CSC_LINK:-}" ]; then
      echo "package-app: no WIN_CSC_LINK or Azure Trusted Signing: the installer is unsigned (SmartScreen will warn; docs/release.md)"
    fi
    # Never the macOS certificate, which electron-builder would try when WIN_CSC_LINK is absent.
    unset CSC_LINK CSC_KEY_PASSWORD
    ;;
  *)
    unset CSC_LINK CSC_KEY_PASSWORD WIN_CSC_LINK WIN_CSC_KEY_PASSWORD
    ;;
esac

if [ -n "${PACKAGE_DRY_RUN:-}" ]; then
  # The command (one argument a line), then the names (never the values) of the signing
  # variables electron-builder gets.
  printf 'electron-builder\n'
  printf '  %s\n' "${args[@]}"
  printf 'signing with:'
  for name in "${signing[@]}"; do
    if [ -n "${!name:-}" ]; then printf ' %s' "$name"; fi
  done
  printf '\n'
  exit 0
fi

npx electron-vite build
npx electron-builder "${args[@]}"
