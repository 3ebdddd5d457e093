// Alertmanager's fingerprint of a label set (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over the
// label names in sorted order, each name and value followed by the byte 255, printed as 16 hex digits.

const OFFSET = 14695981039346656037n;
const PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;
const SEPARATOR = 255;
const encoder = new TextEncoder();

function add(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const byte of bytes) h = ((h ^ BigInt(byte)) * PRIME) & MASK;
  return h;
}

export function fingerprint(labels: Readonly<Record<string, string>>): string {
  const separator = Uint8Array.of(SEPARATOR);
  let hash = OFFSET;
  for (const name of Object.keys(labels).sort()) {
    hash = add(hash, encoder.encode(name));
    hash = add(hash, separator);
    hash = add(hash, encoder.encode(labels[name] ?? ''));
    hash = add(hash, separator);
  }
  return hash.toString(16).padStart(16, '0');
}
