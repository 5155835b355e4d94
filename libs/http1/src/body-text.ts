/**
 * A response body kept as pieces (the first alone, or all in `chunks`), as text: UTF-8, at most
 * `limit` characters, trimmed — what a trace records.
 */
export function bodyText(first: Buffer | null, chunks: Buffer[] | null, limit: number): string {
  let text = chunks ? Buffer.concat(chunks).toString('utf8') : first ? first.toString('utf8') : '';
  if (text.length > limit) text = text.slice(0, limit);
  return text.trim();
}
