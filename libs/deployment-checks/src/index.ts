// Test support for the deployment files; the checks are the *.test.ts files beside it.
export {
  renderKustomization,
  readYamlDocuments,
  sortObjects,
  splitImage,
  KustomizeError,
  type K8sObject,
} from './kustomize.js';
export {
  imageTagProblems,
  nonRootProblems,
  podWorkloads,
  probeProblems,
  quantity,
  rbacProblems,
  resourceProblems,
  secretProblems,
} from './policy.js';
export { validateObject } from './schemas.js';
export { composeCommand, resolvedCompose, runCompose } from './compose.js';
