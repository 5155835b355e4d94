import { z } from 'zod';
import { encodeToken } from './subject.js';

/** telemd's node info hash `telemd.info:<node>` (protocols §6.3), every field a string. */
export const nodeInfoSchema = z.object({
  node: z.string().min(1),
  info: z.record(z.string(), z.string()),
});
export type NodeInfoReport = z.infer<typeof nodeInfoSchema>;

/** Telemetry agent and recorder events (node infos, recorder lifecycle). */
export const recordingEvents = {
  NodeInfoReported: {
    version: 1,
    description:
      'A node agent (telemd) wrote its node info hash `telemd.info:<node>` (arch, cpus, ram, boot, disk, net, hostname, netspeed).',
    schema: nodeInfoSchema,
  },
} as const;

/** Subjects of the recording domain. */
export const recordingSubjects = {
  /** A node's info, on the stream `galileo.nodes`. */
  nodeInfo: (node: string) => `galileo.nodes.${encodeToken(node)}.info`,
} as const;

/**
 * galileo's trace line on `galileo/results/traces` (protocols §5.3): the 11 RequestTrace fields in
 * order, `%s,%s,%s,%.7f,%.7f,%.7f,%d,%s,%s,%s,%s`. Nulls are the literal `None`, commas in the
 * headers become `|`, newlines in the response `\n` (backslash, n); the response is the last field
 * and may contain commas. Parsing is galileo's `split(',', 10)`; the result is not validated here
 * (the catalogue's schema does that when it becomes a TraceRecorded event).
 */
export interface TraceLineFields {
  request_id: string;
  client: string;
  service: string;
  created: number;
  sent: number;
  done: number;
  status: number;
  server: string | null;
  exp_id: string | null;
  headers: string | null;
  response: string | null;
}

export function parseTraceLineFields(line: string): TraceLineFields | { error: string } {
  const parts: string[] = [];
  let start = 0;
  while (parts.length < 10) {
    const comma = line.indexOf(',', start);
    if (comma === -1) break;
    parts.push(line.slice(start, comma));
    start = comma + 1;
  }
  parts.push(line.slice(start));
  if (parts.length !== 11) {
    return {
      error: `expected 11 comma-separated trace fields (request_id,client,service,created,sent,done,status,server,exp_id,headers,response), got ${parts.length} in ${JSON.stringify(line.slice(0, 80))}`,
    };
  }
  const [requestId, client, service, created, sent, done, status, server, expId, headers, response] =
    parts as [string, string, string, string, string, string, string, string, string, string, string];
  const numbers = {
    created: Number(created),
    sent: Number(sent),
    done: Number(done),
    status: Number(status),
  };
  const texts = { created, sent, done, status };
  for (const field of ['created', 'sent', 'done', 'status'] as const) {
    const value = numbers[field];
    if (!Number.isFinite(value) || (field === 'status' && !Number.isInteger(value))) {
      return {
        error: `trace field ${field} must be a number${field === 'status' ? ' (integer)' : ''}, got ${JSON.stringify(texts[field])} in ${JSON.stringify(line.slice(0, 80))}`,
      };
    }
  }
  if (requestId.length === 0 || service.length === 0) {
    return {
      error: `a trace line needs a request_id and a service, got ${JSON.stringify(line.slice(0, 80))}`,
    };
  }
  const none = (v: string) => (v === 'None' ? null : v);
  return {
    request_id: requestId,
    client,
    service,
    ...numbers,
    server: none(server),
    exp_id: none(expId),
    headers: headers === 'None' ? null : headers.replaceAll('|', ','),
    response: response === 'None' ? null : response.replaceAll('\\n', '\n'),
  };
}
