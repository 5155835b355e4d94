export { runCli, type CliDeps } from './program.js';
export {
  createCliContext,
  cliConfigSpec,
  loadCliConfig,
  type CliConfig,
  type CliContext,
  type CliOutput,
} from './cli-context.js';
export { CliError, usageError } from './cli-error.js';
export { registerUpCommand, type UpArguments, type UpRunner } from './commands/up.js';
export { experimentBodyFrom, type RunOverrides } from './run/experiment-input.js';
export * from './run/progress.js';
export * from './export/export-rows.js';
export { createShellObjects, ClientGroup, USAGE } from './shell/shell-objects.js';
export { formatTable, formatEpoch } from './format/table.js';
