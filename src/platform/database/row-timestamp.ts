// Rows as both drivers return them: a `timestamptz` as a Date (PGlite) or a Date or text (pg). Row
// interfaces declare it as `Timestamp`; mappers make it a Date or an ISO string with these.
export type Timestamp = Date | string;

export const iso = (value: Timestamp): string => new Date(value).toISOString();
