import { describe, expect, it } from 'vitest';
import { kubeNode, nodeServer, server } from './fixtures';
import { duration } from './format';
import { badgeTone, capacityOf, nodeAge, nodeBadges, readyBadge, taintText } from './node';

describe('node badges', () => {
  it('names the Ready condition as kubectl does, Unknown too', () => {
    expect(readyBadge({ ready: 'true' })).toBe('Ready');
    expect(readyBadge({ ready: 'false' })).toBe('NotReady');
    expect(readyBadge({ ready: 'unknown' })).toBe('Unknown');
  });

  it('lists the Ready state, every problem condition in order, then cordoned', () => {
    expect(nodeBadges(kubeNode('a'))).toEqual(['Ready']);
    expect(
      nodeBadges(
        kubeNode('b', { ready: 'false', problems: ['MemoryPressure', 'DiskPressure'], unschedulable: true }),
      ),
    ).toEqual(['NotReady', 'MemoryPressure', 'DiskPressure', 'SchedulingDisabled']);
  });

  it('makes a node out of service look it, a problem a problem, and cordoned a caution', () => {
    expect(badgeTone('Ready')).toBe('ok');
    expect(badgeTone('NotReady')).toBe('down');
    expect(badgeTone('Unknown')).toBe('down');
    expect(badgeTone('DiskPressure')).toBe('problem');
    expect(badgeTone('NetworkUnavailable')).toBe('problem');
    expect(badgeTone('SchedulingDisabled')).toBe('caution');
  });
});

describe('node facts', () => {
  it('writes a taint as kubectl describe does', () => {
    expect(taintText({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' })).toBe(
      'dedicated=gpu:NoSchedule',
    );
    expect(taintText({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' })).toBe(
      'node-role.kubernetes.io/control-plane:NoSchedule',
    );
    expect(taintText({ key: 'node.kubernetes.io/unreachable', value: '', effect: 'NoExecute' })).toBe(
      'node.kubernetes.io/unreachable:NoExecute',
    );
  });

  it('gives the age since creation, in the two largest units', () => {
    const created = 1_700_000_000;
    expect(nodeAge(created, created + 12 * 86_400 + 4 * 3_600 + 59)).toBe(12 * 86_400 + 4 * 3_600 + 59);
    expect(duration(nodeAge(created, created + 12 * 86_400 + 4 * 3_600), 'en')).toBe('12 d 4 h');
    expect(duration(nodeAge(created, created + 300), 'zh')).toBe('5分');
    // A clock behind the API server's: never a negative age.
    expect(nodeAge(created, created - 30)).toBe(0);
  });

  it("takes the capacity from the Node, else from the agent's report", () => {
    expect(capacityOf(nodeServer('n', { capacity: { cpu: 8, memory: 1024, pods: 110 } }))).toEqual({
      cpu: 8,
      memory: 1024,
      pods: 110,
    });
    const plain = server('a', 'a');
    expect(capacityOf(plain)).toEqual({ cpu: plain.cpu.cores, memory: plain.memory.total });
  });
});
