import { describe, expect, it } from 'vitest';
import { createTestLogger } from './test-logger.js';

const secrets = ['hunter2', 'tok-123', 's3cr3t', 'Bearer abc', 'k-456', 'cookie-789', 'redispw'];

function expectNoSecrets(text: string): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('secrets in log lines', () => {
  it('censors a password in the logged object', () => {
    const { logger, lines, text } = createTestLogger();
    logger.info({ password: 'hunter2', user: 'galileo' }, 'connecting');
    expect(lines()[0]).toMatchObject({ password: '***', user: 'galileo' });
    expectNoSecrets(text());
  });

  it('censors secret-named keys nested one and two levels deep', () => {
    const { logger, lines, text } = createTestLogger();
    logger.info({
      expdb: { influxdb: { token: 'tok-123', org: 'galileo' }, mysql_password: 'hunter2' },
      client: { apiKey: 'k-456', clientSecret: 's3cr3t' },
    });
    expect(lines()[0]).toMatchObject({
      expdb: { influxdb: { token: '***', org: 'galileo' }, mysql_password: '***' },
      client: { apiKey: '***', clientSecret: '***' },
    });
    expectNoSecrets(text());
  });

  it('censors authorization headers and cookies at the usual depths', () => {
    const { logger, text } = createTestLogger();
    logger.info({ headers: { authorization: 'Bearer abc' } });
    logger.info({ req: { headers: { authorization: 'Bearer abc', cookie: 'cookie-789' } } });
    logger.info({ http: { req: { headers: { cookie: 'cookie-789' } } } });
    expectNoSecrets(text());
  });

  it('masks the password of a Redis URL in fields, messages, arguments and errors', () => {
    const { logger, lines, text } = createTestLogger();
    const url = 'redis://:redispw@redis:6379/0';
    logger.info({ target: url }, 'connecting');
    logger.info(`connecting to ${url}`);
    logger.info('connecting to %s', url);
    logger.error(new Error(`connection to ${url} refused`));
    logger.error({ err: new Error(`lost ${url}`), attempt: 2 }, 'reconnecting');
    expectNoSecrets(text());
    expect(lines().map((line) => line.msg)).toContain('connecting to redis://:***@redis:6379/0');
    expect(lines()[0]).toMatchObject({ target: 'redis://:***@redis:6379/0' });
    expect(lines()[3]).toMatchObject({ err: { message: 'connection to redis://:***@redis:6379/0 refused' } });
  });

  it('censors secrets bound on child loggers', () => {
    const { logger, lines, text } = createTestLogger();
    logger.child({ redisPassword: 'hunter2', url: 'rediss://u:redispw@r' }).info('child');
    expect(lines()[0]).toMatchObject({ redisPassword: '***', url: 'rediss://u:***@r' });
    expectNoSecrets(text());
  });

  it('keeps non-secret fields, the key prefix included, and does not mutate the logged object', () => {
    const { logger, lines } = createTestLogger();
    const fields = { keyPrefix: 'galileo:', host: 'redis', password: 'hunter2' };
    logger.info(fields);
    expect(lines()[0]).toMatchObject({ keyPrefix: 'galileo:', host: 'redis' });
    expect(fields.password).toBe('hunter2');
  });
});
