/**
 * galileo's `galileo/events` line format: `"<unix ts> <name> <value>"`, e.g.
 * `1603020000.123 scale_schedule {"fn": "resnet", …}`. The value is the rest of the line and
 * may contain spaces; JSON values are parsed, anything else stays a string.
 */
export interface GalileoEventLine {
  timestamp: number;
  name: string;
  value: unknown;
}

export function formatGalileoEventLine({ timestamp, name, value }: GalileoEventLine): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return `${timestamp} ${name} ${text}`;
}

export function parseGalileoEventLine(line: string): GalileoEventLine | { error: string } {
  const first = line.indexOf(' ');
  const second = first === -1 ? -1 : line.indexOf(' ', first + 1);
  if (first <= 0)
    return { error: `expected "<unix ts> <name> <value>", got ${JSON.stringify(line.slice(0, 80))}` };
  const timestamp = Number(line.slice(0, first));
  if (!Number.isFinite(timestamp)) {
    return {
      error: `expected a unix timestamp before the first space, got ${JSON.stringify(line.slice(0, first))}`,
    };
  }
  const name = second === -1 ? line.slice(first + 1) : line.slice(first + 1, second);
  if (name.length === 0)
    return { error: `expected an event name after the timestamp in ${JSON.stringify(line.slice(0, 80))}` };
  const raw = second === -1 ? '' : line.slice(second + 1);
  let value: unknown = raw;
  if (raw.length > 0 && '{["-0123456789tfn'.includes(raw[0]!)) {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  return { timestamp, name, value };
}
