import { isEnvVar, type ConfigSpec, type EnvVar } from './env-var.js';

function variablesOf(spec: ConfigSpec): EnvVar<unknown>[] {
  return Object.values(spec).flatMap((entry) => (isEnvVar(entry) ? [entry] : variablesOf(entry)));
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (text: string): string => (text === '' ? '`""`' : `\`${text}\``);

function defaultCell(variable: EnvVar<unknown>): string {
  if (variable.defaultText !== undefined) return code(variable.defaultText);
  return variable.required ? 'required' : 'unset';
}

function variableCell({ name, aliases }: EnvVar<unknown>): string {
  return aliases.length === 0 ? code(name) : `${code(name)} (or ${aliases.map(code).join(', ')})`;
}

/** The Markdown table (variable | default | description) documenting a spec, for READMEs. */
export function describeConfig(spec: ConfigSpec): string {
  const rows = variablesOf(spec).map((variable) => {
    const secret = variable.secret ? ' Secret: masked in errors and logs.' : '';
    return `| ${cell(variableCell(variable))} | ${cell(defaultCell(variable))} | ${cell(variable.description + secret)} |`;
  });
  return ['| variable | default | description |', '| --- | --- | --- |', ...rows].join('\n') + '\n';
}
