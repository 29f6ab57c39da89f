export * from './channels.js';
export * from './envelope.js';
export * from './handlers.js';
export type * from './events.js';
export { EVENT_NAMES } from './events.js';
export type * from './model.js';
export type * from './results.js';
export type * from './doctor.js';
export type * from './api.js';
