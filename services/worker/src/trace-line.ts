import { requestTraceSchema, type RequestTrace } from '@galileo/events';

/**
 * galileo's trace line on `galileo/results/traces` (protocols §5.3): the 11 RequestTrace fields in
 * order, `%s,%s,%s,%.7f,%.7f,%.7f,%d,%s,%s,%s,%s`. Nulls are the literal `None`, commas in the
 * headers become `|`, newlines in the response become `\n` (backslash, n). The response is the
 * last field and may contain commas.
 *
 * The escaping is galileo's and lossy at its edges, kept for compatibility: a `|` in the headers
 * comes back as `,`, a literal backslash-n in a response as a newline, a value `None` as null.
 */
export function formatTraceLine(trace: RequestTrace): string {
  return [
    trace.request_id,
    trace.client,
    trace.service,
    trace.created.toFixed(7),
    trace.sent.toFixed(7),
    trace.done.toFixed(7),
    String(Math.trunc(trace.status)),
    orNone(trace.server),
    orNone(trace.exp_id),
    trace.headers === null ? 'None' : trace.headers.replaceAll(',', '|'),
    trace.response === null ? 'None' : trace.response.replaceAll('\n', '\\n'),
  ].join(',');
}

/** Reads a line as galileo's TracesSubscriber does; an error value says what is wrong with it. */
export function parseTraceLine(
  line: string,
): { ok: true; value: RequestTrace } | { ok: false; error: string } {
  const parts = splitFields(line, 11);
  if (parts.length !== 11) {
    return {
      ok: false,
      error: `expected 11 comma-separated trace fields (request_id,client,service,created,sent,done,status,server,exp_id,headers,response), got ${parts.length} in ${JSON.stringify(line.slice(0, 80))}`,
    };
  }
  const [requestId, client, service, created, sent, done, status, server, expId, headers, response] =
    parts as [string, string, string, string, string, string, string, string, string, string, string];
  const candidate = {
    request_id: requestId,
    client,
    service,
    created: Number(created),
    sent: Number(sent),
    done: Number(done),
    status: Number(status),
    server: fromNone(server),
    exp_id: fromNone(expId),
    headers: headers === 'None' ? null : headers.replaceAll('|', ','),
    response: response === 'None' ? null : response.replaceAll('\\n', '\n'),
  };
  const parsed = requestTraceSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return {
      ok: false,
      error: `invalid trace line ${JSON.stringify(line.slice(0, 80))}: ${problems.join('; ')}`,
    };
  }
  return { ok: true, value: parsed.data };
}

const orNone = (value: string | null): string => (value === null ? 'None' : value);
const fromNone = (value: string): string | null => (value === 'None' ? null : value);

/** Python's `line.split(',', maxsplit=count - 1)`. */
function splitFields(line: string, count: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (parts.length < count - 1) {
    const comma = line.indexOf(',', start);
    if (comma === -1) break;
    parts.push(line.slice(start, comma));
    start = comma + 1;
  }
  parts.push(line.slice(start));
  return parts;
}
