import {
  defineConfig,
  envDuration,
  envEnum,
  envField,
  envInt,
  envString,
  envVar,
  redisConfigSpec,
  type ConfigOf,
} from '@galileo/config';

const whitespaceList = envField<string[]>('a whitespace-separated list of host:port', (raw) => ({
  ok: true,
  value: raw.split(/\s+/).filter((s) => s !== ''),
}));

/** The go-load-balancer's variables (reference §1) plus what the TypeScript balancer adds. */
export const loadBalancerConfigSpec = defineConfig({
  redis: redisConfigSpec,
  etcdHost: envVar({
    name: 'eb_go_lb_etcd_host',
    schema: envString({ expected: 'host:port (or several, comma-separated)' }),
    description:
      'etcd endpoint(s) with the weights. Unset: the embedded mode, weights in Redis (`galileo_redis_*`). (The Go balancer defaulted to `localhost:2379`.)',
  }),
  zone: envVar({
    name: 'eb_go_lb_zone',
    schema: envString(),
    required: true,
    description: 'The zone this balancer serves: it reads and watches `golb/function/<zone>/`.',
  }),
  handlerType: envVar({
    name: 'eb_go_lb_handler_type',
    schema: envEnum(['wrr', 'dummy']),
    default: 'wrr',
    description:
      '`wrr`: LVS interleaved weighted round robin over the weights; `dummy`: plain round robin ignoring the weights. (The Go balancer defaulted to `dummy`.)',
  }),
  mode: envVar({
    name: 'eb_go_lb_mode',
    schema: envEnum(['prod', 'dev']),
    default: 'dev',
    description: 'Logging: `dev` logs at debug level, `prod` at info.',
  }),
  nodeName: envVar({
    name: 'eb_go_lb_node_name',
    schema: envString(),
    description:
      'Name in the forwarding headers (`X-Forwarded-For`, `X-Forwarded-Host-<node>`); the host name when unset.',
  }),
  listenPort: envVar({
    name: 'eb_go_lb_listen_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 8079,
    description: 'Port of the proxy.',
  }),
  listenHost: envVar({
    name: 'eb_go_lb_listen_host',
    schema: envString(),
    default: '0.0.0.0',
    description: 'Address the proxy binds to.',
  }),
  gateways: envVar({
    name: 'eb_go_lb_gateways',
    schema: whitespaceList,
    description:
      "Other zones' balancers (`host:port`, whitespace-separated): requests keep their `/function/<fn>` path there, and a request that was already forwarded never goes to one. Unset: entries containing `10.0.` count as gateways, as in the Go balancer.",
  }),
  weightStore: envVar({
    name: 'eb_go_lb_weight_store',
    schema: envEnum(['etcd', 'redis']),
    description: 'Overrides the choice of store: `etcd` when an etcd host is set, else `redis`.',
  }),
  keyPrefix: envVar({
    name: 'eb_go_lb_key_prefix',
    schema: envString(),
    default: 'golb/function/',
    description: 'Key prefix of the weights (the zone and function follow).',
  }),
  backendConnections: envVar({
    name: 'eb_go_lb_backend_connections',
    schema: envInt({ min: 1 }),
    default: 128,
    description: 'Most keep-alive connections open at once to one backend; more requests wait.',
  }),
  requestTimeout: envVar({
    name: 'eb_go_lb_request_timeout',
    schema: envDuration(),
    default: '60s',
    description: "Longest wait for a backend's response headers, and between body chunks; then 504.",
  }),
  healthPort: envVar({
    name: 'eb_go_lb_health_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of `/healthz`, `/readyz` and `/metrics`; 0 turns it off.',
  }),
});

export type LoadBalancerConfig = ConfigOf<typeof loadBalancerConfigSpec>;
