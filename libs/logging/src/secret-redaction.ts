/**
 * pino `redact` paths for the usual credential fields. They back up the name-based censoring in
 * createLogger (which covers any `isSecretName()` key two levels deep) for well-known deeper paths.
 */
export const redactPaths: readonly string[] = [
  'password',
  '*.password',
  'passwd',
  '*.passwd',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.*.headers.authorization',
  '*.*.headers.cookie',
];
