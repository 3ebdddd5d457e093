import { describe, expect, it } from 'vitest';
import { nodeServer, server } from './fixtures';
import { agentState, isNotReady, neverReported, statusRank } from './status';

describe('agent state', () => {
  it('tells online, offline and a missing agent apart', () => {
    expect(agentState(server('a', 'a'))).toBe('online');
    expect(agentState(server('a', 'a', { online: false }))).toBe('offline');
    expect(agentState(nodeServer('n', {}, { online: false, agentMissing: true }))).toBe('missing');
    // An old dashboard that sends no `online` at all: the seed's servers are online.
    expect(agentState({ online: undefined as unknown as boolean })).toBe('online');
  });

  it('says a missing agent never reported only when lastSeen is 0', () => {
    const missing = { online: false, agentMissing: true };
    expect(neverReported(nodeServer('n', {}, { ...missing, lastSeen: 0 }))).toBe(true);
    expect(neverReported(nodeServer('n', {}, { ...missing, lastSeen: 1_700_000_000 }))).toBe(false);
    expect(neverReported(server('a', 'a', { online: false, lastSeen: 0 }))).toBe(false);
  });
});

describe('Ready', () => {
  it('counts a Node whose Ready condition is False or Unknown as not ready, and no server outside Kubernetes', () => {
    expect(isNotReady(server('a', 'a'))).toBe(false);
    expect(isNotReady(nodeServer('n'))).toBe(false);
    expect(isNotReady(nodeServer('n', { ready: 'false' }))).toBe(true);
    expect(isNotReady(nodeServer('n', { ready: 'unknown' }))).toBe(true);
  });

  it('ranks healthier servers higher', () => {
    const ranked = [
      nodeServer('ready'),
      server('plain', 'plain'),
      nodeServer('not-ready', { ready: 'false' }),
      server('offline', 'offline', { online: false }),
      nodeServer('missing', {}, { online: false, agentMissing: true }),
      nodeServer('missing-not-ready', { ready: 'unknown' }, { online: false, agentMissing: true }),
    ].map(statusRank);
    expect(ranked).toEqual([5, 5, 4, 3, 1, 0]);
  });
});
