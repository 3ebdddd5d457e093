// Search box and the cards/table switch. "/" focuses the search from anywhere on the page.

import { onCleanup, onMount } from 'solid-js';
import { t } from '../i18n';
import { query, setQuery, setViewMode, viewMode } from '../list';
import { Grid, Rows, Search } from './Icons';

export function Toolbar() {
  let input!: HTMLInputElement;
  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key === '/' && !target?.closest('input, textarea')) {
        e.preventDefault();
        input.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    onCleanup(() => document.removeEventListener('keydown', onKey));
  });
  return (
    <div class="toolbar">
      <label class="search">
        <Search />
        <input
          ref={input}
          type="search"
          placeholder={t('searchPlaceholder')}
          aria-label={t('searchPlaceholder')}
          value={query()}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
          }}
        />
      </label>
      <div class="segmented">
        <button
          type="button"
          data-view="cards"
          aria-pressed={viewMode() === 'cards'}
          onClick={() => setViewMode('cards')}
          title={t('cards')}
        >
          <Grid />
          <span>{t('cards')}</span>
        </button>
        <button
          type="button"
          data-view="table"
          aria-pressed={viewMode() === 'table'}
          onClick={() => setViewMode('table')}
          title={t('table')}
        >
          <Rows />
          <span>{t('table')}</span>
        </button>
      </div>
    </div>
  );
}
