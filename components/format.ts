const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: bigint | number | null): string {
  if (bytes === null) return "—";
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

export function formatDate(date: Date | null): string {
  return date ? date.toLocaleString() : "—";
}

/** "3m", "2h", "5d": how long ago, as kubectl prints ages. */
export function formatAge(date: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000} CPU` : `${millis}m CPU`;
}
