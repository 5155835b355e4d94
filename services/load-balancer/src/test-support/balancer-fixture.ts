import { createEtcdWeightStore } from '@galileo/kv';
import { createTestLogger } from '@galileo/logging';
import { testEtcdHost, testEtcdPrefix, waitFor } from '@galileo/testing';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Etcd3 } from 'etcd3';
import { createLoadBalancer, type LoadBalancer, type LoadBalancerDeps } from '../load-balancer.js';

export interface BalancerFixture {
  /** Closed after each test, last first. */
  readonly cleanups: (() => Promise<unknown>)[];
  /** For `afterEach`. */
  afterEach(): Promise<void>;
  /** For `afterAll`: the test's etcd keys removed, the client closed. */
  afterAll(): Promise<void>;
  /**
   * A balancer in zone-a on an ephemeral port whose function `busy` has the one replica `host`
   * (weights in etcd under a prefix of its own), started and with its weights read.
   */
  balancerTo(
    host: string,
    options?: Partial<Pick<LoadBalancerDeps, 'requestTimeoutMs'>>,
  ): Promise<LoadBalancer>;
  /** Listens on an ephemeral loopback port, closed (connections and all) after the test; its `host:port`. */
  listenHttp(server: HttpServer): Promise<string>;
}

/** The setup the balancer's HTTP tests share: the real etcd, one key prefix per balancer. */
export function createBalancerFixture(label: string): BalancerFixture {
  const etcd = new Etcd3({ hosts: `http://${testEtcdHost()}` });
  const cleanups: (() => Promise<unknown>)[] = [];
  const prefixes: string[] = [];
  return {
    cleanups,
    async afterEach() {
      while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
    },
    async afterAll() {
      for (const p of prefixes) await etcd.delete().prefix(p);
      etcd.close();
    },
    async balancerTo(host, options = {}) {
      const prefix = `${testEtcdPrefix(label)}golb/function/`;
      prefixes.push(prefix);
      await etcd
        .put(`${prefix}zone-a/busy`)
        .value(JSON.stringify({ ips: [host], weights: [1] }))
        .exec();
      const store = createEtcdWeightStore({ hosts: testEtcdHost(), prefix });
      const lb = createLoadBalancer({
        store,
        zone: 'zone-a',
        nodeName: 'lb-a',
        port: 0,
        host: '127.0.0.1',
        logger: createTestLogger({ service: 'load-balancer' }).logger,
        ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      });
      await lb.start();
      cleanups.push(async () => {
        await lb.stop();
        await store.close();
      });
      await waitFor(() => lb.weights('busy'), { what: 'weights' });
      return lb;
    },
    async listenHttp(server) {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      cleanups.push(
        () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      );
      return `127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}
