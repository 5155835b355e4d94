export {
  startEmbeddedStack,
  freeLoopbackPort,
  EmbeddedStartError,
  type EmbeddedAddresses,
  type EmbeddedStack,
  type EmbeddedStackOptions,
} from './stack.js';
export {
  embeddedConfigSpec,
  embeddedDefaults,
  loadEmbeddedConfig,
  nodeAllocatable,
  zoneNode,
  type EmbeddedConfig,
} from './config.js';
export { createEmulatedCluster, gatewayPodName, type EmulatedCluster, type EmulatedZone } from './cluster.js';
export { runUp, describeStack, type UpContext } from './up.js';
export { runDemo, demoInstructions, parseDemoArguments, type DemoOptions } from './demo.js';
