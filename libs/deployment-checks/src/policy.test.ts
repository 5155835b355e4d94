import { describe, expect, it } from 'vitest';
import type { K8sObject } from './kustomize.js';
import {
  imageTagProblems,
  nonRootProblems,
  probeProblems,
  quantity,
  rbacProblems,
  resourceProblems,
  secretProblems,
} from './policy.js';
import { validateObject } from './schemas.js';

// The checks must catch what they are for: each gets a good object and broken ones.
const container = (extra: Record<string, unknown> = {}) => ({
  name: 'c',
  image: 'ghcr.io/edgerun/galileo:0.1.0',
  ports: [{ name: 'health', containerPort: 9101 }],
  livenessProbe: { httpGet: { path: '/healthz', port: 'health' } },
  readinessProbe: { httpGet: { path: '/readyz', port: 'health' } },
  resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
  securityContext: { allowPrivilegeEscalation: false },
  ...extra,
});
const deployment = (
  c: Record<string, unknown>,
  pod: Record<string, unknown> = { securityContext: { runAsNonRoot: true } },
) =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'galileo' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { ...pod, containers: [c] } },
    },
  }) as unknown as K8sObject;
const galileo = (image: string) => image.includes('galileo');

describe('policy checks', () => {
  it('pass a good workload', () => {
    const d = deployment(container());
    expect([
      ...imageTagProblems([d]),
      ...nonRootProblems([d]),
      ...probeProblems([d], galileo),
      ...resourceProblems([d]),
    ]).toEqual([]);
  });

  it('catch latest and missing tags', () => {
    expect(imageTagProblems([deployment(container({ image: 'redis:latest' }))])).toHaveLength(1);
    expect(imageTagProblems([deployment(container({ image: 'redis' }))])).toHaveLength(1);
    expect(imageTagProblems([deployment(container({ image: 'localhost:5000/redis' }))])).toHaveLength(1);
  });

  it('catch root', () => {
    expect(nonRootProblems([deployment(container(), {})])).toHaveLength(1);
    expect(
      nonRootProblems([
        deployment(container({ securityContext: { runAsUser: 0, allowPrivilegeEscalation: false } })),
      ]),
    ).toHaveLength(1);
    expect(nonRootProblems([deployment(container({ securityContext: {} }))])).toHaveLength(1);
  });

  it('catch missing or wrong probes', () => {
    expect(probeProblems([deployment(container({ livenessProbe: undefined }))], galileo)).toHaveLength(1);
    expect(
      probeProblems(
        [deployment(container({ readinessProbe: { httpGet: { path: '/healthz', port: 'health' } } }))],
        galileo,
      ),
    ).toHaveLength(1);
    expect(
      probeProblems(
        [deployment(container({ livenessProbe: { httpGet: { path: '/healthz', port: 'nope' } } }))],
        galileo,
      ),
    ).toHaveLength(1);
  });

  it('catch missing requests or limits, and requests above limits', () => {
    expect(
      resourceProblems([deployment(container({ resources: { requests: { cpu: '1', memory: '1Gi' } } }))]),
    ).toHaveLength(2);
    expect(
      resourceProblems([
        deployment(
          container({
            resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
          }),
        ),
      ]),
    ).toEqual(['Deployment d container c: cpu request 2 is above its limit 1']);
    expect(quantity('250m')).toBe(0.25);
    expect(quantity('512Mi')).toBe(512 * 1024 * 1024);
  });

  it('catch RBAC beyond the pod verbs', () => {
    const role = (rules: unknown) =>
      ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'r' },
        rules,
      }) as unknown as K8sObject;
    const good = [
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'watch'] },
    ];
    expect(rbacProblems([role(good)])).toEqual([]);
    expect(rbacProblems([role([{ ...good[0], verbs: ['*'] }])])).toHaveLength(1);
    expect(rbacProblems([role([{ ...good[0], resources: ['pods', 'secrets'] }])])).toHaveLength(1);
    expect(
      rbacProblems([role([...good, { apiGroups: [''], resources: ['nodes'], verbs: ['get'] }])]).length,
    ).toBeGreaterThan(0);
    expect(
      rbacProblems([
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'x' },
        } as K8sObject,
      ]),
    ).toHaveLength(1);
  });

  it('catch literal secrets', () => {
    expect(
      secretProblems([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } as K8sObject]),
    ).toHaveLength(1);
    expect(
      secretProblems([
        deployment(container({ env: [{ name: 'galileo_expdb_mysql_password', value: 'x' }] })),
      ]),
    ).toHaveLength(1);
    expect(
      secretProblems([
        deployment(
          container({
            env: [
              { name: 'galileo_expdb_mysql_password', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            ],
          }),
        ),
      ]),
    ).toEqual([]);
    expect(
      secretProblems([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'c' },
          data: { galileo_api_token: 'x' },
        } as unknown as K8sObject,
      ]),
    ).toHaveLength(1);
  });
});

describe('schema validation', () => {
  it('passes a valid object and catches wrong types, missing fields and unknown fields', async () => {
    expect(await validateObject(deployment(container()))).toEqual([]);
    const typo = deployment(container({ readinesProbe: { httpGet: { path: '/readyz', port: 'health' } } }));
    expect((await validateObject(typo)).join('\n')).toMatch(/readinesProbe: unknown field of V1Container/);
    const wrongType = deployment(container({ resources: { limits: { cpu: { x: 1 } } } }));
    expect((await validateObject(wrongType)).join('\n')).toMatch(/limits\/cpu/);
    const noSelector = {
      ...deployment(container()),
      spec: { template: (deployment(container()).spec as { template: unknown }).template },
    } as K8sObject;
    expect((await validateObject(noSelector)).join('\n')).toMatch(/selector/);
    expect(
      await validateObject({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' } }),
    ).toEqual(['Thing t: no schema for apiVersion example.com/v1']);
  });
});
