export * from './counter';
export * from './servant-facts';
