import { describe, expect, it } from 'vitest';
import { fingerprint } from './fingerprint';

describe('fingerprint', () => {
  // e2e/alerts.test.ts compares it with the fingerprint a real Alertmanager gives the same alert.
  it('is the FNV-1a 64 of the sorted labels: empty is the offset basis, order does not matter', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(fingerprint({ alertname: 'ServerOffline', server_id: 'web-1' })).toBe(
      fingerprint({ server_id: 'web-1', alertname: 'ServerOffline' }),
    );
    expect(fingerprint({ a: 'b' })).not.toBe(fingerprint({ a: 'c' }));
    expect(fingerprint({ ab: '' })).not.toBe(fingerprint({ a: 'b' }));
  });
});
