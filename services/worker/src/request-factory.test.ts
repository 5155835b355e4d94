import { describe, expect, it } from 'vitest';
import { createDefaultRequestFactory, toHttpRequest } from './request-factory.js';

const client = { worker: 'w1', service: 'svc', clientId: 'w1:svc:0' };

function defaultRequest(parameters: Record<string, unknown> | null) {
  const factory = createDefaultRequestFactory(parameters);
  if (!factory.ok) throw new Error(factory.error);
  return factory.value.forClient(client).next();
}

describe('the default request factory (galileo DefaultAppClient)', () => {
  it('sends GET / without parameters', () => {
    expect(defaultRequest(null)).toEqual({ method: 'GET', path: '/', headers: {} });
  });

  it('builds method, path, headers, query and body', () => {
    expect(
      defaultRequest({
        method: 'post',
        path: '/predict?model=a',
        headers: { 'X-Trace': 'yes', 'X-N': 3 },
        query: { batch: 4, fast: true },
        body: { image: 'abc' },
      }),
    ).toEqual({
      method: 'POST',
      path: '/predict?model=a&batch=4&fast=true',
      headers: { 'x-trace': 'yes', 'x-n': '3', 'content-type': 'application/json' },
      body: '{"image":"abc"}',
    });
    expect(defaultRequest({ method: 'put', body: 'raw text' })).toEqual({
      method: 'PUT',
      path: '/',
      headers: {},
      body: 'raw text',
    });
  });

  it("understands galileo's kwargs: params, json, data, headers", () => {
    expect(
      defaultRequest({ path: '/f', kwargs: { params: { a: 1 }, json: [1, 2], headers: { Auth: 'x' } } }),
    ).toEqual({
      method: 'GET',
      path: '/f?a=1',
      headers: { auth: 'x', 'content-type': 'application/json' },
      body: '[1,2]',
    });
    expect(defaultRequest({ method: 'post', kwargs: { data: { a: 'b c' } } })).toMatchObject({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b+c',
    });
  });

  it('answers bad parameters with what is wrong and what is expected', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ method: 'GET /' }, /method: must be an HTTP method/],
      [{ path: 5 }, /path: .*, got 5/],
      [{ pth: '/' }, /unknown key\(s\) 'pth'/],
      [{ kwargs: { timeout: 3 } }, /kwargs: unknown key\(s\) 'timeout'/],
      [{ headers: { a: { b: 1 } } }, /headers\.a/],
    ];
    for (const [parameters, reason] of cases) {
      const factory = createDefaultRequestFactory(parameters);
      expect(factory.ok).toBe(false);
      if (!factory.ok) {
        expect(factory.error).toMatch(reason);
        expect(factory.error).toContain('Expected');
      }
    }
  });
});

describe('requests returned by client apps', () => {
  it("accept galileo's (method, path, kwargs) triple", () => {
    expect(toHttpRequest(['get', '/test', { params: { counter: 3 } }])).toEqual({
      ok: true,
      value: { method: 'GET', path: '/test?counter=3', headers: {} },
    });
  });
  it('reject garbage with a reason', () => {
    expect(toHttpRequest(42)).toMatchObject({ ok: false });
    expect(toHttpRequest(['get'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('[method, path, kwargs]'),
    });
    expect(toHttpRequest(['get', '/', {}, 'extra'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('at most 3'),
    });
  });
});
