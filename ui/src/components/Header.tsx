// The top bar: name, connection state, theme and language switches.

import { lang, t, toggleLang } from '../i18n';
import { theme, toggleTheme } from '../theme';
import { ConnectionStatus } from './ConnectionStatus';
import { Languages, Logo, Moon, Sun } from './Icons';

export function Header() {
  return (
    <header class="topbar">
      <a class="brand" href="#/">
        <span class="brand-mark">
          <Logo />
        </span>
        <span class="brand-name">{t('title')}</span>
      </a>
      <div class="topbar-actions">
        <ConnectionStatus />
        <button
          type="button"
          class="icon-button"
          data-action="theme"
          onClick={toggleTheme}
          title={theme() === 'dark' ? t('themeToLight') : t('themeToDark')}
          aria-label={theme() === 'dark' ? t('themeToLight') : t('themeToDark')}
        >
          {theme() === 'dark' ? <Sun /> : <Moon />}
        </button>
        <button
          type="button"
          class="icon-button lang-button"
          data-action="lang"
          onClick={toggleLang}
          title={t('switchLanguageLabel')}
          aria-label={t('switchLanguageLabel')}
          lang={lang() === 'zh' ? 'en' : 'zh-CN'}
        >
          <Languages />
          <span>{t('switchLanguage')}</span>
        </button>
      </div>
    </header>
  );
}
