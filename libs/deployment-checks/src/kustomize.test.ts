import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlKustomize, kubectlKustomizeAvailable } from './kubectl.js';
import {
  KustomizeError,
  readYamlDocuments,
  renderKustomization,
  sortObjects,
  splitImage,
  type K8sObject,
} from './kustomize.js';
import { repoPath } from './repo.js';

const fixtures = repoPath('libs', 'deployment-checks', 'src', 'fixtures', 'kustomize');
const overlays = readdirSync(repoPath('deployment', 'kubernetes', 'overlays')).map((o) =>
  repoPath('deployment', 'kubernetes', 'overlays', o),
);
const kubectl = kubectlKustomizeAvailable();

describe('the kustomize renderer', () => {
  it('renders the fixture exactly as kustomize v5.5.0 did (bases, namespace, labels, images, patches, $patch: delete)', () => {
    const expected = readYamlDocuments(join(fixtures, 'expected.yaml')) as K8sObject[];
    expect(sortObjects(renderKustomization(join(fixtures, 'overlay')))).toEqual(sortObjects(expected));
  });

  it('merges lists by key in kustomize’s order: the patch’s items first, then the others', () => {
    const [deployment] = renderKustomization(join(fixtures, 'overlay')).filter(
      (o) => o.kind === 'Deployment',
    );
    const container = (
      deployment as unknown as {
        spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
      }
    ).spec.template.spec.containers[0]!;
    expect(container.env).toEqual([
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
      { name: 'A', value: '1' },
    ]);
  });

  it('refuses kustomization features it does not implement, instead of rendering them wrong', () => {
    expect(() => renderKustomization(join(fixtures, 'unsupported'))).toThrow(KustomizeError);
    expect(() => renderKustomization(join(fixtures, 'unsupported'))).toThrow(
      /'configMapGenerator' is not supported/,
    );
  });

  it('splits image references', () => {
    expect(splitImage('redis:7.2.6-alpine')).toEqual({ name: 'redis', tag: '7.2.6-alpine' });
    expect(splitImage('localhost:5000/galileo')).toEqual({ name: 'localhost:5000/galileo' });
    expect(splitImage('quay.io/coreos/etcd:v3.5.17@sha256:abc')).toEqual({
      name: 'quay.io/coreos/etcd',
      tag: 'v3.5.17',
      digest: 'sha256:abc',
    });
  });

  it.skipIf(!kubectl)(
    'agrees with kubectl kustomize (v5 or later, when installed) on the fixture and on every overlay',
    () => {
      for (const dir of [
        join(fixtures, 'overlay'),
        repoPath('deployment', 'kubernetes', 'base'),
        ...overlays,
      ]) {
        expect(sortObjects(renderKustomization(dir)), dir).toEqual(sortObjects(kubectlKustomize(dir)));
      }
    },
  );
});
