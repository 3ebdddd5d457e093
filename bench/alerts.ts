// `npm run bench alerts`: what one evaluation of the alert rules costs, in this process, at 1,000 and 10,000 servers
// (the seed's report with every extension field, cpu spread 0-99 %): the three default rules alone, and those plus
// four threshold rules (cpu, memory, disk, temperature). Prints CPU and wall time per evaluation and the longest
// stretch the event loop was held (the evaluation yields every 2,000 rule-server checks).
import { fullExample } from '@sss/protocol/fixtures';
import { type AlertRule, DEFAULT_RULES } from '../dashboard/src/alerts/config';
import { AlertEvaluator } from '../dashboard/src/alerts/evaluator';
import { Hub } from '../dashboard/src/hub/hub';

const THRESHOLDS: AlertRule[] = (['cpu', 'memory', 'disk', 'temperature'] as const).map((kind) => ({
  name: `High_${kind}`,
  kind,
  threshold: 90,
  operator: '>',
  severity: 'warning',
  forMs: 60_000,
  forText: '1m',
}));
const ROUNDS = 30;

async function measure(servers: number, rules: readonly AlertRule[]): Promise<string> {
  const hub = new Hub({ intervalSeconds: 5, historySize: 2 });
  const base = fullExample();
  for (let i = 0; i < servers; i++) {
    hub.report({
      ...base,
      serverId: `srv-${i}`,
      serverName: `srv-${i}`,
      cpu: { ...base.cpu, percent: i % 100 },
    });
  }
  const evaluator = new AlertEvaluator({ rules, hub, notify: () => {} });
  await evaluator.evaluate();
  // The longest gap between two turns of the event loop while evaluations run.
  let longest = 0;
  let last = performance.now();
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await evaluator.evaluate();
  const wall = (performance.now() - start) / ROUNDS;
  const used = process.cpuUsage(cpu);
  ticking = false;
  const ms = (used.user + used.system) / 1000 / ROUNDS;
  return `${servers.toLocaleString('en')} servers, ${rules.length} rules: ${ms.toFixed(2)} ms CPU, ${wall.toFixed(2)} ms wall per evaluation; event loop held at most ${longest.toFixed(1)} ms`;
}

export async function run(): Promise<void> {
  for (const servers of [1_000, 10_000]) {
    console.log(await measure(servers, DEFAULT_RULES));
    console.log(await measure(servers, [...DEFAULT_RULES, ...THRESHOLDS]));
  }
}
