import type { Command } from 'commander';
import { CONFIG_FILE, loadConfig, SETTINGS, type Config, type SettingKey } from '../config/index.js';

/** `--help` for a setting: what it does, then where else it can be set and what it is when not set. */
function settingHelp(setting: { description: string; env: string; default?: string | number }): string {
  const fallback = setting.default === undefined ? '' : `, default ${setting.default}`;
  return `${setting.description} (env ${setting.env}${fallback})`;
}

/**
 * A flag for each setting of the given config file sections, in the order of SETTINGS. Values are
 * checked by the configuration, not by commander, so that every problem is reported together.
 */
function withSettings(command: Command, sections: readonly string[]): Command {
  for (const setting of SETTINGS) {
    const section = setting.filePath.split('.')[0] ?? '';
    if (sections.includes(section)) command.option(`${setting.flag} ${setting.argument}`, settingHelp(setting));
  }
  return command;
}

/** Options every command that opens the store takes; values flow into `loadConfig` as the top layer. */
export function withStoreOptions(command: Command): Command {
  return withSettings(command.option(`${CONFIG_FILE.flag} ${CONFIG_FILE.argument}`, settingHelp(CONFIG_FILE)), [
    'database',
    'log',
  ]);
}

/**
 * Where `serve` listens. The admin key (the auth section) is set by env or file only: a command line
 * is visible to every user of the machine.
 */
export function withServerOptions(command: Command): Command {
  return withSettings(command, ['server']);
}

export function withIngestionOptions(command: Command): Command {
  return withSettings(command, ['ingestion']);
}

export function withMeteringOptions(command: Command): Command {
  return withSettings(command, ['metering']);
}

/** Where targets' secrets are read from (besides MB_SECRET_<NAME>). */
export function withPostingOptions(command: Command): Command {
  return withSettings(command, ['posting']);
}

export function withBillingOptions(command: Command): Command {
  return withSettings(command, ['billing']);
}

/** Period-end accrual as `serve` runs it. */
export function withAccountingOptions(command: Command): Command {
  return withSettings(command, ['accounting']);
}

/** Builds the configuration from a command's options and the environment: flags > env > file > defaults. */
export function configFrom(options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const { config: file, ...flags } = options;
  return loadConfig({ flags: flags as Partial<Record<SettingKey, unknown>>, env, file: file as string | undefined });
}
