import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTelemdConfig, parseTelemdIni, selectInstruments, telemdConfigSpec } from './config.js';
import { instrumentNames } from './instruments.js';

describe('telemd configuration', () => {
  it("has the Go agent's variable names, one period per instrument with telemd's defaults", () => {
    const names = JSON.stringify(telemdConfigSpec);
    for (const v of [
      'telemd_nodename',
      'telemd_redis_url',
      'telemd_redis_host',
      'telemd_redis_port',
      'telemd_proc_mount',
    ]) {
      expect(names).toContain(v);
    }
    const loaded = loadTelemdConfig(
      { telemd_nodename: 'n1', telemd_period_cpu: '2s' },
      { iniPath: '/nonexistent' },
    );
    if (!loaded.ok) throw loaded.error;
    expect(Object.keys(loaded.value.periods).sort()).toEqual([...instrumentNames].sort());
    expect(loaded.value.periods.cpu).toBe(2000);
    expect(loaded.value.periods.load).toBe(5000);
    expect(loaded.value.periods.docker_cgrp_cpu).toBe(1000);
    expect(loaded.value.redisUrl).toMatchObject({ host: 'localhost', port: 6379 });
  });

  it('reads /etc/telemd/config.ini: global keys, then the node section, then the environment', async () => {
    const text =
      'telemd_redis_host = redis1\ntelemd_period_ram = 3s\n# comment\n[rpi0]\ntelemd_period_ram = 4s\n[other]\ntelemd_period_ram = 9s\n';
    expect(parseTelemdIni(text, 'rpi0')).toEqual({ telemd_redis_host: 'redis1', telemd_period_ram: '4s' });
    const dir = await mkdtemp(join(tmpdir(), 'telemd-ini-'));
    try {
      await writeFile(join(dir, 'config.ini'), text);
      const loaded = loadTelemdConfig(
        { telemd_nodename: 'rpi0', telemd_redis_host: 'from-env' },
        { iniPath: join(dir, 'config.ini') },
      );
      if (!loaded.ok) throw loaded.error;
      expect(loaded.value.redisHost).toBe('from-env');
      expect(loaded.value.periods.ram).toBe(4000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('selects instruments by the enable and disable lists (disable wins) and names unknown ones', () => {
    expect(selectInstruments(['cpu', 'ram', 'net'], ['net'])).toEqual({ ok: true, value: ['cpu', 'ram'] });
    expect(selectInstruments(undefined, ['cpu'])).toEqual({
      ok: true,
      value: instrumentNames.filter((n) => n !== 'cpu'),
    });
    const bad = selectInstruments(['cpu', 'gpu'], undefined);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toContain('gpu');
    const lists = loadTelemdConfig({ telemd_instruments_disable: 'cpu  freq' }, { iniPath: '/nonexistent' });
    expect(lists.ok && lists.value.instrumentsDisable).toEqual(['cpu', 'freq']);
  });
});
