/**
 * NATS subject patterns: `*` matches exactly one token, `>` (last token only) matches one or
 * more tokens. A subject's first two tokens name its stream (like a JetStream stream capturing
 * `galileo.traces.>`), so a pattern also says which streams a subscription must read.
 */
export interface SubjectPattern {
  readonly pattern: string;
  matches(subject: string): boolean;
  /** The one stream this pattern can match, when its first two tokens are literal. */
  readonly stream: string | null;
  /** Whether a stream (two tokens) can hold subjects matching this pattern. */
  matchesStream(stream: string): boolean;
}

export function patternProblem(pattern: string): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0)
    return 'a subscription pattern must be a non-empty string';
  const tokens = pattern.split('.');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.length === 0) return `pattern "${pattern}" has an empty token`;
    if (t === '>' && i !== tokens.length - 1) return `pattern "${pattern}": ">" may only be the last token`;
    if (t !== '*' && t !== '>' && /[*>\s]/.test(t)) {
      return `pattern "${pattern}" has an invalid token "${t}": wildcards stand alone as a whole token`;
    }
  }
  return null;
}

export function compilePattern(pattern: string): SubjectPattern {
  const problem = patternProblem(pattern);
  if (problem) throw new TypeError(problem);
  const tokens = pattern.split('.');
  const tail = tokens[tokens.length - 1] === '>';
  const fixed = tail ? tokens.slice(0, -1) : tokens;
  const literal = !tokens.includes('*') && !tail;

  // Compiled once to a regular expression: matching runs for every message a subscriber reads,
  // and splitting each subject into tokens would allocate on that path.
  const source = fixed
    .map((t) => (t === '*' ? '[^.]+' : t.replace(/[\\^$.|?+()[\]{}-]/g, '\\$&')))
    .join('\\.');
  const matcher = new RegExp(
    tail ? `^${source}${fixed.length ? '\\.' : ''}[^.]+(\\.[^.]+)*$` : `^${source}$`,
  );

  const streamTokens = [tokens[0]!, tokens[1] ?? null] as const;
  const stream =
    streamTokens[1] !== null && !['*', '>'].includes(streamTokens[0]) && !['*', '>'].includes(streamTokens[1])
      ? `${streamTokens[0]}.${streamTokens[1]}`
      : null;

  return {
    pattern,
    stream,
    matches: literal ? (subject) => subject === pattern : (subject) => matcher.test(subject),
    matchesStream(candidate) {
      const [a, b] = candidate.split('.');
      if (a === undefined || b === undefined) return false;
      const [p0, p1] = streamTokens;
      if (p0 === '>') return true;
      if (p0 !== '*' && p0 !== a) return false;
      if (p1 === null) return false; // a one-token pattern cannot match two-token streams
      if (p1 === '>' || p1 === '*') return true;
      return p1 === b;
    },
  };
}

/** The stream a subject is stored in: its first two tokens. */
export function streamOf(subject: string): string {
  const first = subject.indexOf('.');
  const second = subject.indexOf('.', first + 1);
  return second === -1 ? subject : subject.slice(0, second);
}
