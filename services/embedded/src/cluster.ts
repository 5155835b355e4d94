import { randomBytes } from 'node:crypto';
import type { Bus, Subscription } from '@galileo/bus';
import { labels, podJson, podTypes } from '@galileo/context';
import { galileoSubjects, type GalileoCatalogue } from '@galileo/events';
import type { Logger } from '@galileo/logging';
import type { Redis } from 'ioredis';

export interface EmulatedZone {
  readonly zone: string;
  /** The node that stands for the zone (`local-<zone>`). */
  readonly node: string;
}

/**
 * What a Kubernetes cluster's telemd-kubernetes-adapter would tell the optimizers, for the zones
 * this machine emulates: each zone's node carries its zone and worker-role labels and its
 * allocatable resources in `telemd.info:<node>` (telemd rewrites that hash on start, reconnect
 * and `info`, and announces each rewrite as NodeInfoReported: the labels are put back then), and
 * each zone's load balancer is announced as its running api-gateway pod.
 */
export interface EmulatedCluster {
  start(): Promise<void>;
  /** Announces zone's balancer at host:port as the zone's api-gateway pod (pod/running). */
  announceGateway(zone: string, host: string, port: number): Promise<void>;
  /** Announces every gateway gone (pod/delete) and stops relabelling. */
  stop(): Promise<void>;
}

/**
 * A gateway pod's name: new on every start, as a pod's is — the context keeps a pod that was
 * deleted as Not Running and does not bring the same name back to life.
 */
export const gatewayPodName = (zone: string) =>
  `gateway-${zone}-${randomBytes(3).toString('hex').slice(0, 5)}`;

export function createEmulatedCluster(deps: {
  bus: Bus<GalileoCatalogue>;
  redis: Redis;
  keyPrefix: string;
  zones: readonly EmulatedZone[];
  allocatable: Readonly<Record<string, string>>;
  logger: Logger;
}): EmulatedCluster {
  const { bus, redis, keyPrefix, zones, logger } = deps;
  const byNode = new Map(zones.map((z) => [z.node, z]));
  const gateways = new Map<string, Record<string, unknown>>();
  let subscription: Subscription | null = null;

  const label = async (z: EmulatedZone) => {
    await redis.hset(`${keyPrefix}telemd.info:${z.node}`, {
      labels: JSON.stringify({ [labels.zone]: z.zone, [labels.workerRole]: 'true' }),
      allocatable: JSON.stringify(deps.allocatable),
    });
  };
  const publishPod = (event: string, pod: Record<string, unknown>) =>
    bus.publish(galileoSubjects.events(`pod/${event}`), {
      type: 'GalileoEvent',
      data: { name: `pod/${event}`, timestamp: Date.now() / 1000, value: pod },
    });

  return {
    async start() {
      subscription = await bus.subscribe('galileo.nodes.>', {
        group: 'embedded-cluster',
        startAt: 'new',
        handler: async (event) => {
          if (event.type !== 'NodeInfoReported') return;
          const z = byNode.get(event.data.node);
          if (z) await label(z);
        },
      });
      await Promise.all(zones.map(label));
    },
    async announceGateway(zone, host, port) {
      const z = zones.find((x) => x.zone === zone);
      if (!z)
        throw new Error(
          `zone ${zone} is not emulated here: expected one of ${zones.map((x) => x.zone).join(', ')}`,
        );
      const pod = podJson({
        name: gatewayPodName(zone),
        node: z.node,
        ip: host,
        port,
        type: podTypes.apiGateway,
        zone,
        image: 'galileo/load-balancer',
      });
      gateways.set(zone, pod);
      await publishPod('running', pod);
    },
    async stop() {
      await subscription?.stop();
      subscription = null;
      for (const pod of gateways.values()) {
        await publishPod('delete', { ...pod, status: 'Not Running' }).catch((e: Error) =>
          logger.warn({ err: e.message }, 'announcing a gateway gone failed'),
        );
      }
      gateways.clear();
    },
  };
}
