// A country's flag from its ISO 3166-1 alpha-2 code, as a bundled SVG served from our own origin.

import { Show } from 'solid-js';
import { lang } from '../i18n';
import { Globe } from './Icons';

const files = import.meta.glob<string>('@flags/*.svg', { query: '?url', import: 'default', eager: true });
const FLAGS = new Map<string, string>();
for (const [path, url] of Object.entries(files)) {
  const code = /([A-Z-]+)\.svg$/.exec(path)?.[1];
  if (code) FLAGS.set(code, url);
}

/** Codes people write that are not ISO 3166-1. */
const ALIASES: Record<string, string> = { UK: 'GB', EL: 'GR' };

function flagUrl(countryCode: string | undefined): string | undefined {
  if (!countryCode) return undefined;
  const code = countryCode.trim().toUpperCase();
  return FLAGS.get(ALIASES[code] ?? code);
}

const regionNames = new Map<string, Intl.DisplayNames>();

export function countryName(countryCode: string): string {
  const locale = lang() === 'zh' ? 'zh-CN' : 'en';
  let names = regionNames.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale], { type: 'region' });
    regionNames.set(locale, names);
  }
  try {
    return names.of(countryCode.toUpperCase()) ?? countryCode;
  } catch {
    return countryCode;
  }
}

export function Flag(props: { code: string | undefined }) {
  const url = () => flagUrl(props.code);
  return (
    <Show
      when={url()}
      fallback={
        <span class="flag flag-none" title={props.code || undefined}>
          <Globe />
        </span>
      }
    >
      {(src) => (
        <img
          class="flag"
          src={src()}
          alt={countryName(props.code ?? '')}
          title={countryName(props.code ?? '')}
          width="21"
          height="14"
          decoding="async"
        />
      )}
    </Show>
  );
}
