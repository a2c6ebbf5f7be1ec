import type { Config } from '../config/index.js';
import { createApp, type App } from '../main.js';
import { configFrom } from './options.js';

/** Opens the application for a configuration; tests bind it to their own database. */
export type OpenApp = (config: Readonly<Config>) => Promise<App>;

/** What a command that opens the store takes from its caller. */
export interface AppCommandDependencies {
  /** Default: `openConfiguredApp`. */
  openApp?: OpenApp;
}

/** The configured store, opened and migrated: how every command opens the app outside tests. */
export const openConfiguredApp: OpenApp = (config) => createApp(config);

/** Runs one piece of work on an application opened from the command's store options, and closes it. */
export function withApp<T>(
  options: Record<string, unknown>,
  openApp: OpenApp,
  work: (app: App) => Promise<T>,
): Promise<T> {
  return withConfiguredApp(configFrom(options), openApp, work);
}

/**
 * `withApp` for a command that needs its configuration before the store opens (to check its input
 * against it, or to log): the app is closed after `work`, whether it failed or not, so nothing keeps
 * the process alive or holds the embedded store's lock.
 */
export async function withConfiguredApp<T>(
  config: Readonly<Config>,
  openApp: OpenApp,
  work: (app: App) => Promise<T>,
): Promise<T> {
  const app = await openApp(config);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** The options without the command's own (what remains are store options for `configFrom`). */
export function without(options: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([name]) => !names.includes(name)));
}
