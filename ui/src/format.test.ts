import { describe, expect, it } from 'vitest';
import {
  ago,
  bytes,
  celsius,
  clock,
  count,
  dateTime,
  duration,
  heat,
  level,
  load,
  monthDay,
  niceCeiling,
  percent,
  speed,
  swapPercent,
} from './format';

describe('bytes and speeds', () => {
  it('uses binary units with three significant digits', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(23.4 * 1024 ** 2)).toBe('23.4 MiB');
    expect(bytes(118 * 1024 ** 3)).toBe('118 GiB');
    expect(bytes(1.5 * 1024 ** 4)).toBe('1.5 TiB');
  });

  it('moves to the next unit instead of showing 1024', () => {
    expect(bytes(1023.9 * 1024)).toBe('1.00 MiB');
  });

  it('keeps trailing zeros in speeds so their width does not jump', () => {
    expect(speed(3 * 1024 ** 2)).toBe('3.00 MiB/s');
    expect(speed(1536)).toBe('1.50 KiB/s');
    expect(speed(0)).toBe('0 B/s');
  });

  it('treats nonsense as zero', () => {
    expect(bytes(-5)).toBe('0 B');
    expect(bytes(Number.NaN)).toBe('0 B');
  });
});

describe('percent and level', () => {
  it('shows one decimal below 10 and clamps to 0-100', () => {
    expect(percent(3.44)).toBe('3.4%');
    expect(percent(45.6)).toBe('46%');
    expect(percent(0)).toBe('0%');
    expect(percent(120)).toBe('100%');
    expect(percent(Number.NaN)).toBe('–');
  });

  it('warns from 70% and is critical from 90%', () => {
    expect(level(69.9)).toBe('ok');
    expect(level(70)).toBe('warn');
    expect(level(89.9)).toBe('warn');
    expect(level(90)).toBe('crit');
  });
});

describe('durations', () => {
  it('shows the two largest units', () => {
    expect(duration(17, 'en')).toBe('17 s');
    expect(duration(42 * 60 + 5, 'en')).toBe('42 min');
    expect(duration(5 * 3600 + 3 * 60, 'en')).toBe('5 h 3 min');
    expect(duration(12 * 86_400 + 4 * 3600 + 59, 'en')).toBe('12 d 4 h');
    expect(duration(3 * 86_400, 'en')).toBe('3 d');
    expect(duration(12 * 86_400 + 4 * 3600, 'zh')).toBe('12天 4小时');
  });

  it('says how long ago in words', () => {
    expect(ago(100, 101, 'en')).toBe('just now');
    expect(ago(100, 112, 'en')).toBe('12 s ago');
    expect(ago(100, 100 + 180, 'en')).toBe('3 min ago');
    expect(ago(100, 100 + 7200, 'zh')).toBe('2 小时前');
    expect(ago(100, 90, 'en')).toBe('just now');
  });
});

describe('chart scale', () => {
  it('rounds up to a power of two of bytes, 1 KiB at least', () => {
    expect(niceCeiling(0)).toBe(1024);
    expect(niceCeiling(700)).toBe(1024);
    expect(niceCeiling(3 * 1024 ** 2)).toBe(4 * 1024 ** 2);
    expect(niceCeiling(4 * 1024 ** 2)).toBe(4 * 1024 ** 2);
  });
});

describe('extension figures', () => {
  it('formats load averages and temperatures; an absent figure is a dash', () => {
    expect(load(0.5)).toBe('0.50');
    expect(load(12.345)).toBe('12.35');
    expect(load(undefined)).toBe('–');
    expect(celsius(54)).toBe('54.0 °C');
    expect(celsius(undefined)).toBe('–');
  });

  it('heat: red at the critical level, amber within 10 °C of it, never without one', () => {
    expect(heat(100, 100)).toBe('crit');
    expect(heat(91, 100)).toBe('warn');
    expect(heat(89.9, 100)).toBe('ok');
    expect(heat(150, undefined)).toBe('ok');
  });

  it('swap share only where there is swap', () => {
    expect(swapPercent({ swapTotal: 4, swapUsed: 1 })).toBe(25);
    expect(swapPercent({ swapTotal: 0, swapUsed: 0 })).toBeUndefined();
    expect(swapPercent({})).toBeUndefined();
  });
});

describe('dates', () => {
  it('month and day in the language of the page', () => {
    const noon = new Date(2026, 10, 28, 12).getTime() / 1000;
    expect(monthDay(noon, 'en')).toBe('Nov 28');
    expect(monthDay(noon, 'zh')).toBe('11月28日');
  });
});

describe('numbers at the bounds a report may carry (up to 1.8e308)', () => {
  it('caps sizes past the largest unit instead of writing an exponent', () => {
    expect(bytes(2 ** 80)).toBe('1 YiB');
    expect(bytes(Number.MAX_SAFE_INTEGER)).toBe('8 PiB');
    expect(bytes(1.7e308)).toBe('>1023 YiB');
    expect(bytes(Number.POSITIVE_INFINITY)).toBe('>1023 YiB');
    expect(speed(Number.MAX_VALUE)).toBe('>1023 YiB/s');
  });

  it('writes counts and days with separators, capped at a trillion', () => {
    expect(count(8192)).toBe('8,192');
    expect(count(Number.MAX_VALUE)).toBe('>999,999,999,999');
    expect(count(Number.NaN)).toBe('–');
    expect(duration(Number.MAX_SAFE_INTEGER, 'en')).toBe('104,249,991,374 d 7 h');
    expect(duration(1.7e308, 'en')).toBe('>999,999,999,999 d');
  });

  it('shows a dash for a time no Date can hold, and keeps chart scales finite', () => {
    for (const t of [1.7e308, Number.MAX_VALUE, 9e12]) {
      expect(clock(t)).toBe('–');
      expect(dateTime(t)).toBe('–');
      expect(monthDay(t, 'en')).toBe('–');
    }
    expect(clock(0)).toMatch(/^\d\d:\d\d$/);
    expect(niceCeiling(1.7e308)).toBe(Number.MAX_VALUE);
    expect(niceCeiling(1.5 * 2 ** 1000)).toBe(2 ** 1001);
  });
});
