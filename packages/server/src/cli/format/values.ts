/** An RFC 3339 time as a table shows it: to the second, in UTC, e.g. `2024-05-01 09:30:00`. */
export function formatTime(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const time = Date.parse(value);
  // The zero time is KFP's "never", e.g. a run that has not finished.
  if (Number.isNaN(time) || time <= 0) return '';
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration to the second, the two largest units: `45s`, `3m05s`, `2h10m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
