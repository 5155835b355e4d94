/** The OpenAPI 3.1 document of the REST API, served at `GET /api/openapi.json`. */
export function openApiDocument(): Record<string, unknown> {
  const json = (schema: unknown, description = 'OK') => ({
    description,
    content: { 'application/json': { schema } },
  });
  const error = (description: string) => json({ $ref: '#/components/schemas/Error' }, description);
  const idParam = { name: 'exp_id', in: 'path', required: true, schema: { type: 'string' } };
  const appParam = { name: 'app_name', in: 'path', required: true, schema: { type: 'string' } };
  const secured = { security: [{ bearer: [] }, {}] };
  return {
    openapi: '3.1.0',
    info: {
      title: 'galileo REST API',
      version: '1.0.0',
      description:
        "galileo's paths and bodies (edgerun galileo's falcon API), plus reports and server-sent bus events. With galileo_api_token set, every /api path but this document needs `Authorization: Bearer <token>`.",
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['title', 'description'],
          properties: {
            title: { type: 'string', examples: ['400 Bad Request'] },
            description: { type: 'string' },
            field: {
              type: 'string',
              description: 'The body field a 400 is about, e.g. configuration.duration',
            },
          },
        },
        Experiment: {
          type: 'object',
          required: ['id', 'status'],
          properties: {
            id: { type: 'string', examples: ['202010181530-3f2a'] },
            name: { type: ['string', 'null'] },
            creator: { type: ['string', 'null'] },
            start: { type: ['number', 'null'], description: 'epoch seconds' },
            end: { type: ['number', 'null'], description: 'epoch seconds' },
            created: { type: ['number', 'null'], description: 'epoch seconds' },
            status: {
              type: 'string',
              enum: ['QUEUED', 'IN_PROGRESS', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELLED'],
            },
          },
        },
        Workload: {
          type: 'object',
          additionalProperties: false,
          required: ['service', 'ticks', 'clients_per_host', 'arrival_pattern'],
          properties: {
            service: { type: 'string' },
            ticks: {
              type: 'array',
              items: { type: 'number', minimum: 0 },
              description: 'target request rate per interval; ceil(duration/interval) values',
            },
            clients_per_host: { type: 'integer', minimum: 1 },
            arrival_pattern: { type: 'string', examples: ['constant'] },
            client: { type: ['string', 'null'] },
            client_parameters: { type: ['object', 'null'] },
          },
        },
        Submission: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['configuration'],
              properties: {
                experiment: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    id: { type: 'string' },
                    name: { type: 'string' },
                    creator: { type: 'string' },
                  },
                },
                configuration: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['duration', 'interval', 'workloads'],
                  properties: {
                    duration: { type: ['string', 'number'], examples: ['10s', '1m30s', 60] },
                    interval: { type: ['string', 'number'], examples: ['2s'] },
                    workloads: {
                      type: 'array',
                      minItems: 1,
                      items: { $ref: '#/components/schemas/Workload' },
                    },
                  },
                },
              },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['instructions'],
              properties: {
                instructions: {
                  type: 'string',
                  examples: ['spawn .* squeezenet 1\nrps .* squeezenet 5\nsleep 10\nclose .* squeezenet'],
                },
                id: { type: 'string' },
                name: { type: 'string' },
                creator: { type: 'string' },
              },
            },
          ],
        },
        App: {
          type: 'object',
          required: ['name', 'manifest'],
          properties: { name: { type: 'string' }, manifest: { type: 'object' } },
        },
        Report: {
          type: 'object',
          description:
            'computeReport of @galileo/report: requests, latencyMs, throughput, nodes, pressure, scaling, timeline …',
        },
      },
    },
    paths: {
      '/api': {
        get: {
          summary: 'Routes under /api',
          ...secured,
          responses: {
            200: json({
              type: 'array',
              items: { type: 'object', properties: { uri: { type: 'string' }, type: { type: 'string' } } },
            }),
          },
        },
      },
      '/api/worker': {
        get: {
          summary: 'Names of the live workers (galileo:workers)',
          ...secured,
          responses: { 200: json({ type: 'array', items: { type: 'string' } }), 401: error('Unauthorized') },
        },
      },
      '/api/services': {
        get: {
          summary: 'Services with a routing record',
          ...secured,
          responses: {
            200: json({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } }),
          },
        },
      },
      '/api/experiments': {
        get: {
          summary: 'All experiments (table rows and queued ones)',
          ...secured,
          responses: {
            200: json({ type: 'array', items: { $ref: '#/components/schemas/Experiment' } }),
            401: error('Unauthorized'),
          },
        },
        post: {
          summary: 'Queue an experiment on galileo:experiments:instructions',
          ...secured,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Submission' } } },
          },
          responses: {
            200: json({ type: 'string' }, 'the experiment id'),
            400: error('Invalid body; `field` names the field'),
            401: error('Unauthorized'),
            409: error('The id exists'),
            503: error('No workers registered'),
          },
        },
      },
      '/api/experiments/{exp_id}': {
        get: {
          summary: 'One experiment',
          ...secured,
          parameters: [idParam],
          responses: {
            200: json({ $ref: '#/components/schemas/Experiment' }),
            404: error('Unknown experiment'),
          },
        },
        delete: {
          summary: 'Cancel through the experiment daemon (queued or running) and delete',
          ...secured,
          parameters: [idParam],
          responses: {
            200: json({ type: 'string' }, 'the id'),
            404: error('Unknown experiment'),
            409: error('Started by a galileo recorder, not a daemon'),
            503: error('No experiment daemon runs, or none confirmed the cancel in time'),
          },
        },
      },
      '/api/experiments/{exp_id}/cancel': {
        post: {
          summary: 'Cancel through the experiment daemon and keep the row (status CANCELLED)',
          ...secured,
          parameters: [idParam],
          responses: {
            200: json({ $ref: '#/components/schemas/Experiment' }),
            404: error('Unknown experiment'),
            409: error('Not queued or running'),
            503: error('No experiment daemon runs, or none confirmed the cancel in time'),
          },
        },
      },
      '/api/experiments/{exp_id}/report': {
        get: {
          summary: 'The report of an experiment',
          ...secured,
          parameters: [
            idParam,
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'html'] } },
          ],
          responses: {
            200: json({ $ref: '#/components/schemas/Report' }),
            400: error('Bad format'),
            404: error('Unknown experiment'),
          },
        },
      },
      '/api/events': {
        get: {
          summary: 'Server-sent events of the bus (id = envelope id, event = type, data = envelope JSON)',
          ...secured,
          parameters: [
            { name: 'pattern', in: 'query', schema: { type: 'string', default: 'galileo.>' } },
            {
              name: 'from',
              in: 'query',
              schema: { type: 'string', default: 'new' },
              description: 'new, beginning, or epoch ms',
            },
          ],
          responses: {
            200: { description: 'event stream', content: { 'text/event-stream': {} } },
            400: error('Bad pattern'),
          },
        },
      },
      '/api/apps': {
        get: {
          summary: 'Client apps in the repository',
          ...secured,
          responses: { 200: json({ type: 'array', items: { $ref: '#/components/schemas/App' } }) },
        },
        post: {
          summary: 'Upload a client app (zip with manifest.yml at its root)',
          ...secured,
          requestBody: {
            required: true,
            content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: { 201: json({ $ref: '#/components/schemas/App' }), 400: error('Invalid archive') },
        },
      },
      '/api/apps/{app_name}': {
        get: {
          summary: 'One app',
          ...secured,
          parameters: [appParam],
          responses: { 200: json({ $ref: '#/components/schemas/App' }), 404: error('Unknown app') },
        },
        delete: {
          summary: 'Delete an app',
          ...secured,
          parameters: [appParam],
          responses: { 200: json({ type: 'boolean' }) },
        },
      },
      '/api/apps/{app_name}/download': {
        get: {
          summary: 'The app archive',
          ...secured,
          parameters: [appParam],
          responses: {
            200: { description: 'zip', content: { 'application/zip': {} } },
            404: error('Unknown app'),
          },
        },
      },
      '/api/openapi.json': {
        get: { summary: 'This document (no token needed)', responses: { 200: json({ type: 'object' }) } },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: json({ type: 'object' }) } } },
      '/readyz': {
        get: {
          summary: 'Readiness (Redis and the database answer)',
          responses: { 200: json({ type: 'object' }), 503: json({ type: 'object' }, 'not ready') },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } },
      },
    },
  };
}
