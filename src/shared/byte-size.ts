/** A byte count as people read it, in binary units: "512 B", "3.4 KiB", "1.2 MiB", "2.05 GiB". */
export function byteSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : bytes < 1024 ** 3 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** A GPU's memory in use as the tray's tooltip and the popover's GPU panel show it: "11.0 / 15 GiB". */
export function gpuMemoryText(usedMiB: number, totalMiB: number): string {
  return `${(usedMiB / 1024).toFixed(1)} / ${(totalMiB / 1024).toFixed(0)} GiB`;
}
