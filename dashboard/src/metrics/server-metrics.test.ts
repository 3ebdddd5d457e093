import { seedExample } from '@sss/protocol/fixtures';
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
