// Light and dark themes: follow the system until the person flips the toggle. Flipping back to what the system
// shows clears the override, so the page follows the system again.

import { createEffect, createMemo, createRoot, createSignal } from 'solid-js';
import { oneOf, optional, persisted } from './prefs';

export type Theme = 'light' | 'dark';

const media = matchMedia('(prefers-color-scheme: dark)');
const [systemTheme, setSystemTheme] = createSignal<Theme>(media.matches ? 'dark' : 'light');
media.addEventListener('change', (e) => setSystemTheme(e.matches ? 'dark' : 'light'));

const [override, setOverride] = persisted<Theme | undefined>(
  'theme',
  undefined,
  optional(oneOf<Theme>(['light', 'dark'])),
);

export const theme = createRoot(() => {
  const effective = createMemo<Theme>(() => override() ?? systemTheme());
  createEffect(() => {
    document.documentElement.dataset.theme = effective();
  });
  return effective;
});

export function toggleTheme(): void {
  const next: Theme = theme() === 'dark' ? 'light' : 'dark';
  setOverride(next === systemTheme() ? undefined : next);
}
