import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('main', () => {
  it('starts from the environment, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        SAMPLE_APP_PORT: '0',
        SAMPLE_APP_HOST: '127.0.0.1',
        SAMPLE_APP_NAME: 'from-env',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const started = JSON.parse(line.toString().split('\n')[0]!) as { msg: string; port: number };
      expect(started.msg).toBe('listening');
      const response = await fetch(`http://127.0.0.1:${started.port}/healthz`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-sample-app')).toBe('from-env');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits with 1 and a message on bad configuration', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, SAMPLE_APP_PORT: '99999' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('SAMPLE_APP_PORT="99999": must be ≤ 65535');
  });
});
