/** The named options that were given, as the module's query parameters (what the store options are not). */
export function pickOptions(options: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]));
}
