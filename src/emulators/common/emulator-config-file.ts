import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

// `meterbridge emulate <vendor> --config <file>` reads a JSON or YAML file the same way for every
// vendor: the file must hold an object, and every problem found in it is reported together with its
// place in the file. What the sections mean stays with each vendor's loader.

export class EmulatorConfigError extends Error {
  constructor(
    file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'EmulatorConfigError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The object the file holds (YAML for a .yaml or .yml file, JSON otherwise), with a problem for each of
 * its sections not in `sections`; throws an EmulatorConfigError when the file cannot be read as one.
 */
export function readConfigFile(
  file: string,
  sections: readonly string[],
): { value: Record<string, unknown>; problems: string[] } {
  let value: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    value = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new EmulatorConfigError(file, [error instanceof Error ? error.message : String(error)]);
  }
  if (!isRecord(value)) throw new EmulatorConfigError(file, ['the file must hold an object']);
  const problems: string[] = [];
  for (const key of Object.keys(value))
    if (!sections.includes(key)) problems.push(`${key} is not a section this emulator knows`);
  return { value, problems };
}

/** Runs a section's parser, whose thrown problems are then reported under the section's name. */
export function readSection<T>(name: string, parse: () => T, problems: string[]): T | undefined {
  try {
    return parse();
  } catch (error) {
    problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
