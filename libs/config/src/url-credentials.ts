// scheme://[user]:password@ — the password part is everything up to the last `@` of the authority.
const urlPassword = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^/?#\s]*@/gi;

/**
 * Replaces the password of every URL in `text` with `***`
 * (`redis://:pw@host:6379` → `redis://:***@host:6379`); text without credentials is unchanged.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(urlPassword, '$1***@');
}
