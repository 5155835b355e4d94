import { createRoundRobinHostBalancer, type HostBalancer } from '../host-balancer.js';
import type { RoutingRecord, RoutingRecordReader } from '../routing-record.js';
import { absolutePath, type Route, type Router, type RouterType } from './router.js';

/** How a Symmetry router turns the chosen host into a URL. */
export type UrlForm = 'host' | 'service';

/**
 * galileo's HostRouter (`http://<host><path>`, e.g. straight to a function's pod) and
 * ServiceRouter (`http://<host>/<service><path>`, for a per-node reverse proxy routing by service
 * prefix), reading records from a reader and picking hosts with a balancer (protocols §4.4).
 */
export function createSymmetryRouter(options: {
  type: RouterType;
  urlForm: UrlForm;
  records: RoutingRecordReader;
  balancer?: HostBalancer;
  onClose?: () => Promise<void>;
}): Router {
  const { type, urlForm, records, onClose } = options;
  const balancer = options.balancer ?? createRoundRobinHostBalancer();
  const toRoute = (service: string, path: string, record: RoutingRecord | null): Route => {
    if (!record) {
      balancer.forget(service);
      return { ok: false, error: `No routing record found for service '${service}'` };
    }
    const host = balancer.selectHost(record);
    if (!host.ok) return host;
    const url =
      urlForm === 'host'
        ? `http://${host.value}${absolutePath(path)}`
        : `http://${host.value}/${service}${absolutePath(path)}`;
    return { ok: true, url, host: host.value };
  };
  const cachedRecord = records.cachedRecord?.bind(records);
  return {
    type,
    async route(service, path): Promise<Route> {
      return toRoute(service, path, await records.getRecord(service));
    },
    ...(cachedRecord && {
      routeCached(service: string, path: string): Route | undefined {
        const record = cachedRecord(service);
        return record === undefined ? undefined : toRoute(service, path, record);
      },
    }),
    close: onClose ?? (async () => {}),
  };
}
