// Rows as both drivers return them: timestamps as Date (PGlite) or Date / text (pg), numerics selected
// as text, bigint counters as a number or text. Every repository of billing maps them with these.
export type Timestamp = Date | string;

export const iso = (value: Timestamp): string => new Date(value).toISOString();
