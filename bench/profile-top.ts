// `npx tsx bench/profile-top.ts <file.cpuprofile> [n] [seconds]`: the n (10) functions with the most self time in a V8
// CPU profile (node --cpu-prof), with their share of the busy time (everything but idle). With `seconds`, only the
// samples of that many seconds before the profile's last second (the steady state of a fan-out run: its window and
// grace, without start-up, connecting agents, or shutting down).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, n = '10', seconds] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile-top.ts <file.cpuprofile> [n]');
  process.exit(1);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let busy = 0;
const until = profile.endTime - 1e6;
const since = seconds ? until - Number(seconds) * 1e6 : Number.NEGATIVE_INFINITY;
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  const frame = nodes.get(id)?.callFrame;
  const micros = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the delta to the next one
  if (!frame || frame.functionName === '(idle)' || at < since || at > until) return;
  busy += micros;
  const where = frame.url
    ? ` ${frame.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\//, '')}:${frame.lineNumber + 1}`
    : '';
  const key = `${frame.functionName || '(anonymous)'}${where}`;
  self.set(key, (self.get(key) ?? 0) + micros);
});
console.log(`busy ${(busy / 1e6).toFixed(2)} s`);
for (const [key, micros] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(
    `${((micros / busy) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`,
  );
}
