/**
 * galileo's routing-table keys and channel (protocols §4.1), in one place. The prefix isolates tests
 * (and could separate deployments); it is empty in production so Python galileo tools interoperate.
 */
export interface RoutingKeys {
  /** SET of services that have a record. */
  readonly services: string;
  /** LIST of `host:port` strings of a service, in order. */
  hosts(service: string): string;
  /** LIST of decimal weight strings, same order and length as the hosts. */
  weights(service: string): string;
  /** Pub/sub channel carrying the name of every service whose record changed. */
  readonly updates: string;
}

export function routingKeys(prefix = ''): RoutingKeys {
  return {
    services: `${prefix}routing:services`,
    hosts: (service) => `${prefix}routing:hosts:${service}`,
    weights: (service) => `${prefix}routing:weights:${service}`,
    updates: `${prefix}routing:updates`,
  };
}
