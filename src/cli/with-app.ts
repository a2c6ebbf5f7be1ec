import type { Config } from '../config/index.js';
import type { App } from '../main.js';
import { configFrom } from './options.js';

/** Opens the application for a configuration; tests bind it to their own database. */
export type OpenApp = (config: Readonly<Config>) => Promise<App>;

/** Runs one piece of work on an application opened from the command's store options, and closes it. */
export async function withApp<T>(
  options: Record<string, unknown>,
  openApp: OpenApp,
  work: (app: App) => Promise<T>,
): Promise<T> {
  const app = await openApp(configFrom(options));
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
