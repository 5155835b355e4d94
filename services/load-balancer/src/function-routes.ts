import type { FunctionWeights } from '@galileo/kv';
import { createWeightedRoundRobin, type WeightedRoundRobin } from '@galileo/routing';

/** One replica or gateway of a function, as the balancer forwards to it. */
export interface Target {
  /** `host:port` as written in `ips`. */
  readonly host: string;
  /** Another zone's balancer: the request keeps its `/function/<fn>` path there. */
  readonly gateway: boolean;
}

/**
 * The routing state of one function: the targets and two rotations — all targets, and targets
 * without gateways for requests another balancer already forwarded (reference §1: no second
 * gateway hop, so zones never ping-pong a request).
 */
export interface FunctionRoute {
  readonly fn: string;
  readonly weights: FunctionWeights;
  /** The next target of a fresh request; undefined when nothing can be chosen. */
  next(forwarded: boolean): Target | undefined;
  /** Why next() chose nothing, for the 503 body. */
  readonly unavailable: (forwarded: boolean) => string;
}

export type GatewayTest = (host: string) => boolean;

/**
 * Which `ips` are other balancers: the configured gateway list (`eb_go_lb_gateways`); without
 * one, the go-load-balancer's rule that gateways live in 10.0.x.x (their host IPs in the
 * edgerun testbed) while pods do not.
 */
export function gatewayTest(gateways: readonly string[]): GatewayTest {
  if (gateways.length === 0) return (host) => host.includes('10.0.');
  const set = new Set(gateways);
  return (host) => set.has(host);
}

interface Rotation {
  targets: Target[];
  wrr: WeightedRoundRobin | undefined;
}

/** Weights as the Go balancer reads them: all zero means plain round robin. */
function usable(weights: readonly number[]): number[] {
  return weights.some((w) => w >= 1) ? [...weights] : weights.map(() => 1);
}

function rotation(targets: Target[], weights: number[], previous: WeightedRoundRobin | undefined): Rotation {
  if (targets.length === 0) return { targets, wrr: undefined };
  const w = usable(weights);
  if (previous && previous.update(w).ok) return { targets, wrr: previous };
  const created = createWeightedRoundRobin(w);
  return { targets, wrr: created.ok ? created.value : undefined };
}

/**
 * Builds (or updates, keeping the rotation position like the Go balancer keeps `Last`) the route
 * of a function from validated weights.
 */
export function buildRoute(
  fn: string,
  weights: FunctionWeights,
  isGateway: GatewayTest,
  previous?: FunctionRoute,
): FunctionRoute {
  const all: Target[] = weights.ips.map((host) => ({ host, gateway: isGateway(host) }));
  const local = all.filter((t) => !t.gateway);
  const localWeights = weights.weights.filter((_, i) => !all[i]!.gateway);
  const prev = previous as InternalRoute | undefined;
  const full = rotation(all, [...weights.weights], prev?.full.wrr);
  const withoutGateways = rotation(local, localWeights, prev?.local.wrr);
  const route: InternalRoute = {
    fn,
    weights,
    full,
    local: withoutGateways,
    next(forwarded) {
      const r = forwarded ? withoutGateways : full;
      return r.wrr ? r.targets[r.wrr.next()] : undefined;
    },
    unavailable: (forwarded) =>
      forwarded
        ? `no replica of function ${fn} in this zone for a request another balancer forwarded (only gateways are listed)`
        : `function ${fn} has no replicas`,
  };
  return route;
}

interface InternalRoute extends FunctionRoute {
  readonly full: Rotation;
  readonly local: Rotation;
}

/** `/function/<fn>[/<rest>][?query]` → fn, and the path a replica gets (`/<rest>[?query]`). */
export function parseFunctionPath(url: string): { fn: string; rest: string } | undefined {
  if (!url.startsWith('/function/')) return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const slash = path.indexOf('/', 10);
  const fn = slash < 0 ? path.slice(10) : path.slice(10, slash);
  if (fn === '') return undefined;
  return { fn, rest: (slash < 0 ? '/' : path.slice(slash)) + query };
}
