export * from './instruction.js';
export * from './parse-instructions.js';
export * from './configuration.js';
