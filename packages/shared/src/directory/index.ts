export * from './model';
export * from './pipeline';
export * from './sync';
export * from './copy';
