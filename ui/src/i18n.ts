// The ui language: the browser's preference until the person picks one with the switch.

import { createEffect, createRoot } from 'solid-js';
import { ago as agoIn, duration as durationIn, monthDay as monthDayIn } from './format';
import { LANGS, type Lang, type MessageKey, message, preferredLang } from './messages';
import { oneOf, optional, persisted } from './prefs';

const [chosen, setChosen] = persisted<Lang | undefined>('lang', undefined, optional(oneOf(LANGS)));

export function lang(): Lang {
  return chosen() ?? preferredLang(navigator.languages);
}

createRoot(() =>
  createEffect(() => {
    document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  }),
);

export function toggleLang(): void {
  const next: Lang = lang() === 'zh' ? 'en' : 'zh';
  setChosen(next === preferredLang(navigator.languages) ? undefined : next);
}

/** The message in the current language (reactive). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return message(lang(), key, params);
}

export function duration(seconds: number): string {
  return durationIn(seconds, lang());
}

export function ago(then: number, now: number): string {
  return agoIn(then, now, lang());
}

export function monthDay(unixSeconds: number): string {
  return monthDayIn(unixSeconds, lang());
}
