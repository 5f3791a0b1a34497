export * from './alerts';
export * from './dimensions';
export * from './segment-key';
export * from './segments';
export * from './suppression';
export * from './current';
export * from './compare';
export * from './table';
