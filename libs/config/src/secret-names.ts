const secretWords = /password|passwd|token|secret|key|authorization|credential/i;

// `galileo_redis_key_prefix` (and its field name `keyPrefix`) names a key namespace, not a key.
const keyPrefixSuffix = /key[_-]?prefix$/i;

/**
 * True when a variable or field name looks like it holds a credential: it contains `password`,
 * `passwd`, `token`, `secret`, `key`, `authorization` or `credential` (case-insensitive).
 * Names ending in `_key_prefix` / `keyPrefix` are not secret. Used to mask values in config errors,
 * worker labels and logs, so it errs on the side of masking (a field named `key` is masked too).
 */
export function isSecretName(name: string): boolean {
  return secretWords.test(name) && !keyPrefixSuffix.test(name);
}
