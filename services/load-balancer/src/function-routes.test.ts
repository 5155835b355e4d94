import { describe, expect, it } from 'vitest';
import { buildRoute, gatewayTest, parseFunctionPath } from './function-routes.js';
import { referenceWrrSequence } from './test-support/echo-backend.js';

describe('parseFunctionPath', () => {
  it.each([
    ['/function/busy', { fn: 'busy', rest: '/' }],
    ['/function/busy/', { fn: 'busy', rest: '/' }],
    ['/function/busy/predict', { fn: 'busy', rest: '/predict' }],
    ['/function/busy/a/b?x=1', { fn: 'busy', rest: '/a/b?x=1' }],
    ['/function/busy?x=1', { fn: 'busy', rest: '/?x=1' }],
  ])('%s', (url, expected) => expect(parseFunctionPath(url)).toEqual(expected));

  it.each(['/', '/function', '/function/', '/functions/busy', '/x/function/busy'])('rejects %s', (url) =>
    expect(parseFunctionPath(url)).toBeUndefined(),
  );
});

describe('routes', () => {
  const seq = (route: ReturnType<typeof buildRoute>, n: number, forwarded = false) =>
    Array.from({ length: n }, () => route.next(forwarded)?.host);

  it('follow the LVS sequence of the weights', () => {
    const ips = ['a:1', 'b:1', 'c:1'];
    const route = buildRoute('f', { ips, weights: [5, 2, 3] }, gatewayTest(['gw:1']));
    expect(seq(route, 200)).toEqual(referenceWrrSequence([5, 2, 3], 200).map((i) => ips[i]));
  });

  it('never send an already-forwarded request to a gateway', () => {
    const route = buildRoute('f', { ips: ['a:1', 'gw:1'], weights: [1, 5] }, gatewayTest(['gw:1']));
    expect(new Set(seq(route, 50))).toEqual(new Set(['a:1', 'gw:1']));
    expect(new Set(seq(route, 50, true))).toEqual(new Set(['a:1']));
  });

  it('without a gateway list, treat 10.0.x.x entries as gateways (the Go rule)', () => {
    const route = buildRoute(
      'f',
      { ips: ['10.0.3.1:8080', '10.42.0.7:8080'], weights: [1, 1] },
      gatewayTest([]),
    );
    expect(new Set(seq(route, 10, true))).toEqual(new Set(['10.42.0.7:8080']));
  });

  it('answer nothing, with a reason, when only gateways are left for a forwarded request', () => {
    const route = buildRoute('f', { ips: ['gw:1'], weights: [3] }, gatewayTest(['gw:1']));
    expect(route.next(true)).toBeUndefined();
    expect(route.unavailable(true)).toMatch(/no replica of function f in this zone/);
    expect(route.next(false)?.host).toBe('gw:1');
  });

  it('treat all-zero weights as plain round robin and skip zero entries otherwise', () => {
    const rr = buildRoute('f', { ips: ['a', 'b'], weights: [0, 0] }, gatewayTest(['x']));
    expect(seq(rr, 4)).toEqual(['a', 'b', 'a', 'b']);
    const some = buildRoute('f', { ips: ['a', 'b'], weights: [0, 2] }, gatewayTest(['x']));
    expect(new Set(seq(some, 10))).toEqual(new Set(['b']));
  });

  it('keep the rotation position on an update', () => {
    const first = buildRoute('f', { ips: ['a', 'b', 'c'], weights: [1, 1, 1] }, gatewayTest(['x']));
    expect(seq(first, 2)).toEqual(['a', 'b']);
    const next = buildRoute('f', { ips: ['a', 'b', 'c'], weights: [1, 1, 2] }, gatewayTest(['x']), first);
    expect(next.next(false)?.host).toBe('c');
  });
});
