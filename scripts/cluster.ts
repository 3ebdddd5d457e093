// `npm run cluster -- up [--nodes N] [--dir D] | status [--dir D] | down [--dir D]`: the tests' local control
// plane (e2e/cluster/control-plane.ts) for people. `up` starts it in the background and returns; the pids are
// recorded in D/cluster.json, and `down` stops exactly those processes and removes D.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ComponentRecord, isRunning, residentBytes } from '../e2e/cluster/components';
import {
  readControlPlaneState,
  startControlPlane,
  stopRecordedControlPlane,
} from '../e2e/cluster/control-plane';
import { repoRoot } from '../e2e/support/paths';

const usage = 'usage: npm run cluster -- up [--nodes N] [--dir D] | status [--dir D] | down [--dir D]';
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    nodes: { type: 'string', default: '3' },
    dir: { type: 'string', default: join(repoRoot, '.cache/cluster') },
  },
});
const dir = values.dir;
const dirFlag = dir === join(repoRoot, '.cache/cluster') ? '' : ` --dir ${dir}`;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const running = (components: readonly ComponentRecord[]) => components.filter(isRunning);

async function up(): Promise<number> {
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 0) {
    console.error(`--nodes wants a whole number, not ${values.nodes}`);
    return 2;
  }
  const previous = readControlPlaneState(dir);
  if (previous && running(previous.components).length > 0) {
    console.error(
      `a cluster already runs from ${dir} (${previous.server}); \`npm run cluster -- down${dirFlag}\` stops it`,
    );
    return 1;
  }
  // Leftovers of a cluster whose processes are gone (the machine rebooted, or they were killed).
  if (previous) await stopRecordedControlPlane(dir);
  const began = performance.now();
  try {
    const cluster = await startControlPlane({ dir, nodes, persistent: true, keepDir: true });
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    console.log(
      `cluster up in ${seconds} s: ${cluster.server}, ${nodes} fake Node${nodes === 1 ? '' : 's'} (kwok)`,
    );
    console.log(`steps (s): ${JSON.stringify(cluster.timings)}`);
    console.log(`\n  export KUBECONFIG=${cluster.kubeconfig}`);
    console.log(`  ${join(repoRoot, '.cache/tools/bin/kubectl')} get nodes`);
    console.log('\nNo container ever runs: kwok marks the Pods on its Nodes Running. Logs are in', dir);
    console.log(
      `\`npm run cluster -- status${dirFlag}\` shows the processes, \`down${dirFlag}\` stops them.`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(`\nthe logs are in ${dir}; \`npm run cluster -- down${dirFlag}\` removes it`);
    return 1;
  }
}

function status(): number {
  const state = readControlPlaneState(dir);
  if (!state) {
    console.log(`no cluster in ${dir}`);
    return 1;
  }
  console.log(`${state.server}  KUBECONFIG=${state.kubeconfig}`);
  let total = 0;
  for (const component of state.components) {
    const bytes = residentBytes(component);
    total += bytes ?? 0;
    const what = bytes === undefined ? 'not running' : `running, ${mib(bytes)}`;
    console.log(`  ${component.name.padEnd(24)} pid ${String(component.pid).padEnd(8)} ${what}`);
  }
  const up = running(state.components).length;
  console.log(`${up} of ${state.components.length} running, ${mib(total)} resident in all`);
  return up === state.components.length ? 0 : 1;
}

async function down(): Promise<number> {
  const state = readControlPlaneState(dir);
  if (!state) {
    console.log(`no cluster in ${dir}`);
    return 0;
  }
  const began = performance.now();
  const count = running(state.components).length;
  await stopRecordedControlPlane(dir);
  console.log(
    `stopped ${count} processes in ${((performance.now() - began) / 1000).toFixed(1)} s; removed ${dir}`,
  );
  return 0;
}

const commands = new Map<string, () => number | Promise<number>>([
  ['up', up],
  ['status', status],
  ['down', down],
]);
const command = positionals.length === 1 ? commands.get(positionals[0] ?? '') : undefined;
if (command) {
  process.exitCode = await command();
} else {
  console.error(usage);
  process.exitCode = 2;
}
