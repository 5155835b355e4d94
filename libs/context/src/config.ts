import { defineConfig, envFloat, envList, envLogLevel, envString, envVar } from '@galileo/config';

/** galileo-context's variables (reference §3), shared by every service that embeds a context. */
export const contextConfigSpec = defineConfig({
  logLevel: envVar({
    name: 'galileo_context_logging',
    schema: envLogLevel(),
    default: 'INFO',
    description: 'Log level of the context feed.',
  }),
  telemetryWindowSeconds: envVar({
    name: 'galileo_context_telemetry_window_size',
    schema: envFloat({ min: 1 }),
    default: 60,
    description: 'Seconds of telemetry kept per node metric and per container metric.',
  }),
  traceWindowSeconds: envVar({
    name: 'galileo_context_trace_window_size',
    schema: envFloat({ min: 1 }),
    default: 60,
    description: 'Seconds of traces kept per serving node.',
  }),
  latencyGraphJson: envVar({
    name: 'galileo_context_latency_graph_json',
    schema: envString({ expected: 'a path to a JSON file {"<from>": {"<to>": <ms>}}' }),
    description:
      'Latency graph file; without it the graph starts empty and is learned from forwarding headers.',
  }),
  maxLatency: envVar({
    name: 'galileo_context_max_latency',
    schema: envFloat({ min: 0 }),
    default: 0,
    description: 'Initial maximum latency (ms); raised to the largest entry of the graph.',
  }),
  zones: envVar({
    name: 'galileo_context_zones',
    schema: envList(),
    description: 'Zones used when no node carries an `ether.edgerun.io/zone` label (comma-separated).',
  }),
});
