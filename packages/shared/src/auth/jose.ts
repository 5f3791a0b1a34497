/**
 * jose 6 is published as ES modules only. Loading it on first use (rather than at import time)
 * keeps every module that imports the shared package loadable by jest's CommonJS runtime, which
 * cannot require ES modules on Node 20; only code that really verifies or signs tokens needs it.
 * Under tsx and Node >= 20.19 the compiled `require` of an ES module works as is.
 */
export type Jose = typeof import('jose');

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= import('jose');
  return loading;
}
