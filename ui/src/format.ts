// Human units for the figures on screen. Sizes are binary (KiB = 1024 bytes), as the agent measures them.

import { type Lang, message } from './messages';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** Whole numbers up to this are written out; a larger one (nothing real, but the validator lets it by) is capped. */
const MAX_COUNT = 999_999_999_999;

/**
 * 3 significant digits: 0 B, 512 B, 1.5 KiB, 23.4 MiB, 118 GiB. `fixed` keeps trailing zeros (1.50 KiB), so
 * that a figure that changes every few seconds keeps its width.
 */
export function bytes(n: number, fixed = false): string {
  if (Number.isNaN(n) || n <= 0) return '0 B';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // Past the largest unit (up to 1.8e308 bytes pass the validator): say so instead of an exponent.
  if (value >= 1024) return `>1023 ${UNITS[unit]}`;
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  // 1023.7 KiB rounds to "1024 KiB": show the next unit instead.
  if (value.toFixed(digits) === '1024' && unit < UNITS.length - 1) return `1.00 ${UNITS[unit + 1]}`;
  const text = value.toFixed(digits);
  return `${fixed ? text : Number(text)} ${UNITS[unit]}`;
}

export function speed(bytesPerSecond: number): string {
  return `${bytes(bytesPerSecond, true)}/s`;
}

/** 0-100 with one decimal below 10 (3.4%), none above (45%). */
export function percent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  const clamped = Math.min(100, Math.max(0, p));
  return `${clamped < 10 && clamped > 0 ? clamped.toFixed(1) : Math.round(clamped)}%`;
}

/** A whole number with thousands separators ("12,345"); beyond a trillion ">999,999,999,999". */
export function count(n: number): string {
  if (Number.isNaN(n)) return '–';
  return n > MAX_COUNT ? `>${MAX_COUNT.toLocaleString('en')}` : Math.round(n).toLocaleString('en');
}

/** Two largest units: "12 d 4 h", "5 h 3 min", "42 min", "17 s"; days beyond a trillion are capped. */
export function duration(seconds: number, lang: Lang): string {
  const u = (key: 'day' | 'hour' | 'minute' | 'second', n: number) =>
    `${count(n)}${lang === 'zh' ? '' : ' '}${message(lang, key)}`;
  if (seconds / 86_400 > MAX_COUNT) return u('day', seconds / 86_400);
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return h > 0 ? `${u('day', d)} ${u('hour', h)}` : u('day', d);
  if (h > 0) return m > 0 ? `${u('hour', h)} ${u('minute', m)}` : u('hour', h);
  if (m > 0) return u('minute', m);
  return u('second', s);
}

/** How long ago `then` was (both Unix seconds): "just now", "12 s ago", "3 min ago". */
export function ago(then: number, now: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(now - then));
  if (s < 2) return message(lang, 'justNow');
  if (s < 60) return message(lang, 'secondsAgo', { n: s });
  if (s < 3_600) return message(lang, 'minutesAgo', { n: Math.floor(s / 60) });
  if (s < 86_400) return message(lang, 'hoursAgo', { n: Math.floor(s / 3_600) });
  return message(lang, 'daysAgo', { n: Math.floor(s / 86_400) });
}

/** Level of a usage percentage, for the colour of its bar. */
export type Level = 'ok' | 'warn' | 'crit';
export const WARN_PERCENT = 70;
export const CRIT_PERCENT = 90;

export function level(p: number): Level {
  return p >= CRIT_PERCENT ? 'crit' : p >= WARN_PERCENT ? 'warn' : 'ok';
}

/** The Date of a Unix timestamp, or undefined beyond what a Date holds (±8.64e12 s; a report may say 1.8e308). */
function dateOf(unixSeconds: number): Date | undefined {
  const d = new Date(unixSeconds * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Local wall-clock time of a Unix timestamp, HH:MM (or HH:MM:SS); a dash for a time no Date holds. */
export function clock(unixSeconds: number, withSeconds = false): string {
  const d = dateOf(unixSeconds);
  if (!d) return '–';
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return withSeconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

/** Local month and day of a Unix timestamp: "Nov 28" in English, "11月28日" in Chinese. */
export function monthDay(unixSeconds: number, lang: Lang): string {
  return (
    dateOf(unixSeconds)?.toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en', {
      month: 'short',
      day: 'numeric',
    }) ?? '–'
  );
}

/** Local date and time of a Unix timestamp, to the second. */
export function dateTime(unixSeconds: number): string {
  const d = dateOf(unixSeconds);
  return d ? `${d.toLocaleDateString()} ${clock(unixSeconds, true)}` : '–';
}

/**
 * The smallest power of two at or above `max` bytes (1 KiB at least): a chart scale whose quarters are round.
 * Above 2^1023 that power is Infinity; the largest number stands in for it.
 */
export function niceCeiling(max: number): number {
  return max > 1024 ? Math.min(2 ** Math.ceil(Math.log2(max)), Number.MAX_VALUE) : 1024;
}

/** A load average: two decimals (0.52, 12.40). */
export function load(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(2);
}

/** Degrees Celsius with one decimal: "54.0 °C". */
export function celsius(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(1)} °C`;
}

/** How hot a sensor is against its critical level: crit at or above it, warn within 10 °C of it. */
export function heat(value: number, critical: number | undefined): Level {
  if (critical === undefined || critical <= 0) return 'ok';
  return value >= critical ? 'crit' : value >= critical - 10 ? 'warn' : 'ok';
}

/** Swap in use as a share of swap, or undefined without swap (or without the field: an older agent). */
export function swapPercent(memory: { swapTotal?: number; swapUsed?: number }): number | undefined {
  const { swapTotal, swapUsed } = memory;
  return swapTotal && swapTotal > 0 && swapUsed !== undefined ? (swapUsed / swapTotal) * 100 : undefined;
}
