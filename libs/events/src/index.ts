export * from './result.js';
export * from './ulid.js';
export * from './catalogue.js';
export * from './envelope.js';
export * from './errors.js';
export * from './codec.js';
export * from './subject.js';
export * from './galileo-events.js';
