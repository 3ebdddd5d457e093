export * from './alerts';
export * from './backoff';
export * from './constants';
export * from './history';
export type * from './server-info';
export * from './settings';
export * from './validate';
