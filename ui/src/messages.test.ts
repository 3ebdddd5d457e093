import { describe, expect, it } from 'vitest';
import { LANGS, MESSAGES, message, preferredLang } from './messages';

describe('messages', () => {
  it('has every message in every language, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[]) {
      for (const lang of LANGS) {
        expect(MESSAGES[lang][key], `${lang}.${key}`).toBeTruthy();
        expect(placeholders(MESSAGES[lang][key]), `${lang}.${key}`).toEqual(placeholders(MESSAGES.en[key]));
      }
    }
  });

  it('fills placeholders', () => {
    expect(message('en', 'reconnecting', { s: 3 })).toBe('Reconnecting in 3 s');
    expect(message('zh', 'cores', { n: 8 })).toBe('8 核');
  });

  it('follows the browser: Chinese for any zh tag, else English', () => {
    expect(preferredLang(['zh-CN', 'en'])).toBe('zh');
    expect(preferredLang(['zh-TW'])).toBe('zh');
    expect(preferredLang(['en-GB', 'zh-CN'])).toBe('en');
    expect(preferredLang(['de-DE', 'zh'])).toBe('zh');
    expect(preferredLang(['fr'])).toBe('en');
    expect(preferredLang([])).toBe('en');
  });
});
