/** The UTC midnight of the day `d` falls on: every date of the register and of its agencies is one. */
export function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** `YYYY-MM-DD` of the UTC day `d` falls on, for messages and alert details. */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
