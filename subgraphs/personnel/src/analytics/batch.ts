/**
 * Documents the server returns with its first reply: without it the driver's default (101) makes
 * the number of commands grow with the answer (a getMore per batch) rather than stay fixed.
 */
export const FIRST_BATCH = 50_000;
