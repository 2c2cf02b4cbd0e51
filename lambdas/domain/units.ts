/**
 * Numbers as people read them: durations in s / min / h, counts with thousands separators, bytes in
 * KiB / MiB. One set of rules for the notification, the terminal and the reports.
 */

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `45 s`, `23 min`, `2.5 h`: whole seconds under two minutes, whole minutes under two hours. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const seconds = Math.round(ms / 1000);
  if (Math.abs(seconds) < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 120) return `${minutes} min`;
  return `${round(minutes / 60, 1)} h`;
}

/** `1,365,649`; fractions keep at most two digits. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(value) ? 0 : 2 });
}

/** `512 B`, `1.5 KiB`, `61.2 MiB`, `1.1 GiB`. */
export function formatBytes(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(scaled) : round(scaled, 1)} ${units[unit]}`;
}

/**
 * A value with its CloudWatch unit (or the unit words the engine uses, such as `Percent of stream
 * write capacity`): milliseconds become durations, bytes become KiB/MiB, counts get separators.
 */
export function formatQuantity(value: number, unit: string | undefined): string {
  const u = unit ?? '';
  if (u === 'Milliseconds') return formatDuration(value);
  if (u === 'Seconds') return formatDuration(value * 1000);
  if (u === 'Milliseconds/Second') return `${formatCount(Math.round(value))} ms/s`;
  if (u === 'Bytes') return formatBytes(value);
  if (u === 'Bytes/Second') return `${formatBytes(value)}/s`;
  if (u.startsWith('Percent')) {
    const rest = u.slice('Percent'.length).trim();
    return `${formatCount(round(value, 1))}%${rest ? ` ${rest}` : ''}`;
  }
  if (u === 'Count' || u === 'None' || u === '') return formatCount(round(value, 2));
  if (u === 'Count/Second') return `${formatCount(round(value, 1))}/s`;
  return `${formatCount(round(value, 2))} ${u}`;
}

/** `3 restarts`, `1 restart`. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${formatCount(count)} ${count === 1 ? noun : pluralNoun}`;
}
