// Choices a person makes (theme, language, view, sorting, collapsed groups), remembered in localStorage.

import { createSignal, type Signal } from 'solid-js';

const PREFIX = 'sss.';

function read<T>(key: string, fallback: T, valid: (value: unknown) => value is T): T {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    if (raw === null) return fallback;
    const value: unknown = JSON.parse(raw);
    return valid(value) ? value : fallback;
  } catch {
    return fallback; // storage disabled or a value from an older version
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === undefined) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the choice lasts until the page closes
  }
}

/** A signal whose value survives a reload; `undefined` clears the stored value. */
export function persisted<T>(key: string, fallback: T, valid: (value: unknown) => value is T): Signal<T> {
  const [get, set] = createSignal<T>(read(key, fallback, valid));
  const setAndStore = ((next: T | ((prev: T) => T)) => {
    const value = set(next as Parameters<typeof set>[0]);
    write(key, value);
    return value;
  }) as Signal<T>[1];
  return [get, setAndStore];
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function optional<T>(valid: (value: unknown) => value is T) {
  return (value: unknown): value is T | undefined => value === undefined || valid(value);
}

export function stringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
