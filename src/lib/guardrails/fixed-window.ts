// Fixed clock-hour windows (UTC): every instance agrees on the window without talking to the others.

export const WINDOW_SECONDS = 3600;

export interface Window {
  /** Sortable key, e.g. `2026-11-27T20`. */
  readonly key: string;
  readonly start: Date;
  readonly end: Date;
}

export function windowAt(now: Date): Window {
  const start = new Date(Math.floor(now.getTime() / (WINDOW_SECONDS * 1000)) * WINDOW_SECONDS * 1000);
  return { key: start.toISOString().slice(0, 13), start, end: new Date(start.getTime() + WINDOW_SECONDS * 1000) };
}

/** Whole seconds until the window ends (at least 1), for Retry-After. */
export function secondsUntilEnd(window: Window, now: Date): number {
  return Math.max(1, Math.ceil((window.end.getTime() - now.getTime()) / 1000));
}
