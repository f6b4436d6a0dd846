/** Quotes an Exec= argument per the Desktop Entry spec (double quotes; escape " ` $ \\). */
function desktopQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The XDG autostart entry that starts CloudRig at login on Linux (Electron has no API there). */
export function autostartEntry(executable: string, args: readonly string[] = []): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=CloudRig',
    'Comment=Your cloud GPU workstation in the tray',
    `Exec=${[executable, ...args].map(desktopQuote).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
