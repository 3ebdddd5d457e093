import { validateServerInfo } from '@sss/protocol';
import { fullExample, seedExample } from '@sss/protocol/fixtures';
import { describe, expect, it } from 'vitest';
import { Hub } from '../hub/hub';
import { SERVER_FAMILIES, serverExposition } from './server-metrics';

async function collect(hub: Hub): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of serverExposition([...hub.list()])) chunks.push(chunk);
  return chunks;
}

describe('serverExposition', () => {
  it('writes every family once with HELP and TYPE, and a sample per online server', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
    hub.report(seedExample());
    const text = (await collect(hub)).join('');
    for (const f of SERVER_FAMILIES) {
      expect(text.split(`# TYPE ${f.name} ${f.type}\n`)).toHaveLength(2);
    }
    const labels = 'server_id="web-1",server_name="Web Server 1",group="production"';
    expect(text).toContain(`sss_server_cpu_usage_ratio{${labels}} 0.452\n`);
    expect(text).toContain(`sss_server_filesystem_free_bytes{${labels},path="/"} 53687091200\n`);
    expect(text).toContain(`sss_server_network_receive_bytes_total{${labels},interface="eth0"} 2147483648\n`);
    expect(text).toContain(
      `sss_server_info{${labels},os="linux",platform="ubuntu",arch="amd64",kernel="5.15.0-58-generic",cpu_model="Intel(R) Xeon(R) CPU E5-2680 v4"} 1\n`,
    );
  });

  it('writes the extension fields: load, swap, every interface, temperatures, processes, sockets', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
    hub.report(fullExample());
    const text = (await collect(hub)).join('');
    const l = 'server_id="web-1",server_name="Web Server 1",group="production"';
    for (const line of [
      `sss_server_load1{${l}} 3.12`,
      `sss_server_load5{${l}} 2.5`,
      `sss_server_load15{${l}} 1.98`,
      `sss_server_memory_swap_total_bytes{${l}} 4294967296`,
      `sss_server_memory_swap_used_bytes{${l}} 268435456`,
      `sss_server_memory_cached_bytes{${l}} 4194304000`,
      `sss_server_network_receive_bytes_total{${l},interface="eth0"} 2147483648`,
      `sss_server_network_receive_bytes_total{${l},interface="eth1"} 104857600`,
      `sss_server_network_transmit_bytes_per_second{${l},interface="eth1"} 10240`,
      `sss_server_disk_io_utilization_ratio{${l},path="/"} 0.125`,
      `sss_server_processes{${l}} 312`,
      `sss_server_boot_time_seconds{${l}} 1698259456`,
      `sss_server_sockets_inuse{${l},protocol="tcp"} 142`,
      `sss_server_sockets_inuse{${l},protocol="udp"} 9`,
      `sss_server_tcp_connections_established{${l}} 87`,
      `sss_server_temperature_celsius{${l},sensor="coretemp Package id 0"} 54`,
      `sss_server_temperature_celsius{${l},sensor="acpitz thermal_zone0"} 27.8`,
      `sss_server_temperature_critical_celsius{${l},sensor="nvme Composite"} 84.85`,
    ]) {
      expect(text).toContain(`${line}\n`);
    }
    // eth0 once although it is both the default-route interface and in the list; no critical level where none.
    expect(text.match(/^sss_server_network_receive_bytes_total\{/gm)).toHaveLength(2);
    expect(text).not.toContain(`sss_server_temperature_critical_celsius{${l},sensor="acpitz`);
    // Per-core CPU stays out.
    expect(text).not.toMatch(/core="/);
  });

  it('writes none of the extension families for a seed-only report, and a default interface missing from the list', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
    hub.report(seedExample());
    const seedOnly = (await collect(hub)).join('');
    expect(seedOnly).not.toMatch(/^sss_server_(load1|processes|sockets_inuse|temperature_celsius)\{/m);
    const full = fullExample();
    // A repeated sensor name: the validator keeps the first, so one series.
    const checked = validateServerInfo({
      ...full,
      network: { ...full.network, interfaceName: 'bond0', interfaces: full.network.interfaces ?? [] },
      temperatures: [
        { sensor: 'nvme Composite', celsius: 30 },
        { sensor: 'nvme Composite', celsius: 31 },
      ],
    });
    if (!checked.ok) throw new Error(checked.field);
    hub.report(checked.value);
    const text = (await collect(hub)).join('');
    expect(text.match(/^sss_server_network_receive_bytes_total\{.*interface="(\w+)"/gm)?.length).toBe(3);
    expect(text.match(/^sss_server_temperature_celsius\{/gm)).toHaveLength(1);
  });

  it('keeps only up, last report and info for an offline server', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
    hub.report(seedExample());
    hub.disconnected('web-1');
    const samples = (await collect(hub))
      .join('')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.slice(0, l.indexOf('{')));
    expect(samples).toEqual(['sss_server_up', 'sss_server_last_report_timestamp_seconds', 'sss_server_info']);
  });

  it('escapes label values', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
    hub.report({ ...seedExample(), serverName: 'a "b" \\ c\nd' });
    expect((await collect(hub)).join('')).toContain('server_name="a \\"b\\" \\\\ c\\nd"');
  });

  it('hands the work over in slices, so the event loop runs between them', async () => {
    const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
    for (let i = 0; i < 600; i++) hub.report({ ...seedExample(), serverId: `node-${i}` });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const chunks = await collect(hub);
    clearInterval(ticker);
    // 600 servers at 250 a slice: 3 chunks per family.
    expect(chunks).toHaveLength(SERVER_FAMILIES.length * 3);
    expect(ticks).toBeGreaterThan(0);
    expect(chunks.join('').match(/^sss_server_up\{/gm)).toHaveLength(600);
  });
});
