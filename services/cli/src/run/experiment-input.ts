import { parse as parseYaml } from 'yaml';

export interface RunOverrides {
  id?: string;
  name?: string;
  creator?: string;
}

/**
 * What `galileo run` reads: the configuration form (`{experiment, configuration}`) or the
 * instruction form (`{instructions, …}`) as JSON or YAML, or plain instruction text
 * (`spawn …\nsleep 2\n…`). Returns the body POST /api/experiments takes.
 */
export function experimentBodyFrom(text: string, overrides: RunOverrides = {}): Record<string, unknown> {
  const parsed = parseStructured(text);
  let body: Record<string, unknown>;
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    body = { ...(parsed as Record<string, unknown>) };
  } else {
    body = { instructions: stripComments(text) };
  }
  const meta = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (Object.keys(meta).length === 0) return body;
  if ('instructions' in body) return { ...body, ...meta };
  const experiment = (
    typeof body.experiment === 'object' && body.experiment !== null ? body.experiment : {}
  ) as Record<string, unknown>;
  return { ...body, experiment: { ...experiment, ...meta } };
}

function parseStructured(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // fall through to YAML (a superset), whose error is as good
    }
  }
  try {
    return parseYaml(text);
  } catch {
    return null;
  }
}

/** Instruction files may carry `#` comments and blank lines; the daemon gets the instructions only. */
function stripComments(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .join('\n');
}
