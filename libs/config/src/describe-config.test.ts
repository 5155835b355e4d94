import { describe, expect, it } from 'vitest';
import { describeConfig } from './describe-config.js';
import { defineConfig, envVar } from './env-var.js';
import { envInt, envString } from './scalar-fields.js';

describe('describeConfig', () => {
  it('renders one Markdown row per variable, nested groups included', () => {
    const spec = defineConfig({
      port: envVar({ name: 'galileo_api_port', schema: envInt(), default: 5001, description: 'API port.' }),
      name: envVar({
        name: 'galileo_worker_name',
        schema: envString(),
        required: true,
        description: 'Name.',
      }),
      db: {
        password: envVar({ name: 'galileo_db_password', schema: envString(), description: 'A | B.' }),
        prefix: envVar({
          name: 'galileo_prefix',
          aliases: ['galileo_old_prefix'],
          schema: envString({ allowEmpty: true }),
          default: '',
          description: 'Prefix.',
        }),
      },
    });
    expect(describeConfig(spec)).toBe(
      [
        '| variable | default | description |',
        '| --- | --- | --- |',
        '| `galileo_api_port` | `5001` | API port. |',
        '| `galileo_worker_name` | required | Name. |',
        '| `galileo_db_password` | unset | A \\| B. Secret: masked in errors and logs. |',
        '| `galileo_prefix` (or `galileo_old_prefix`) | `""` | Prefix. |',
        '',
      ].join('\n'),
    );
  });
});
