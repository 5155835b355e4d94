/**
 * NATS-style subjects: dot-separated tokens, e.g. `galileo.traces.squeezenet`. Tokens must not
 * be empty and must not contain `.`, `*`, `>` or white space; `encodeToken` makes any name (a
 * host name with dots, a service id) safe to use as one token, reversibly.
 */
const TOKEN_UNSAFE = /[.*>\s%]/g;
const VALID_TOKEN = /^[^.*>\s]+$/;

export function encodeToken(name: string): string {
  if (name.length === 0) return '%';
  return name.replace(TOKEN_UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function decodeToken(token: string): string {
  if (token === '%') return '';
  return token.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Why a subject is not publishable, or null if it is. */
export function subjectProblem(subject: string): string | null {
  if (typeof subject !== 'string' || subject.length === 0) return 'a subject must be a non-empty string';
  const tokens = subject.split('.');
  if (tokens.length < 2) {
    return `subject "${subject}" needs at least two tokens (like galileo.traces); the first two select the stream`;
  }
  for (const t of tokens) {
    if (!VALID_TOKEN.test(t)) {
      return `subject "${subject}" has an invalid token "${t}": tokens are non-empty and contain no ".", "*", ">" or white space (use encodeToken for names)`;
    }
  }
  return null;
}
