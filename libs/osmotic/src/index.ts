export * from './quantity.js';
export * from './formulas.js';
export * from './input.js';
export * from './records.js';
export * from './pressure.js';
export * from './decide.js';
export * from './round.js';
