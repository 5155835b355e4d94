export * from './compute-report.js';
export * from './percentiles.js';
export * from './load-experiment-data.js';
export * from './render-text.js';
export * from './render-html.js';
