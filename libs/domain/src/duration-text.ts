/**
 * Durations as people read them, the same on pages and in emails: "90 seconds", "8 hours",
 * "1 hour 30 minutes", "1 day 6 hours", "30 days". Pure.
 */

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A whole unit when one divides evenly; otherwise two units (the second rounded). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0 seconds';
  if (seconds % DAY === 0) return plural(seconds / DAY, 'day');
  if (seconds > DAY)
    return `${plural(Math.floor(seconds / DAY), 'day')} ${plural(Math.round((seconds % DAY) / HOUR), 'hour')}`.replace(
      / 0 hours$/,
      '',
    );
  if (seconds % HOUR === 0) return plural(seconds / HOUR, 'hour');
  if (seconds >= HOUR)
    return `${plural(Math.floor(seconds / HOUR), 'hour')} ${plural(Math.round((seconds % HOUR) / MINUTE), 'minute')}`.replace(
      / 0 minutes$/,
      '',
    );
  if (seconds % MINUTE === 0) return plural(seconds / MINUTE, 'minute');
  return plural(seconds, 'second');
}
