// A production secret must be random, not merely long: 64 × "a" is 32 bytes
// and worth nothing. What a short sample can tell is limited, so this only
// catches the obvious — repeated, patterned or sequential bytes — by estimating
// the information in the bytes and in the steps between them.
const MIN_ESTIMATED_BITS = 128;

/** Shannon entropy of the sample's own frequencies, in bits per symbol (RFC 4086 §6.1 warns it is only an upper bound). */
function bitsPerSymbol(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / values.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * True when the bytes look like a human's choice rather than a generator's
 * output. 32 bytes from a CSPRNG estimate about 155 bits; a repeated character
 * 0, a repeated 4-byte pattern 64, a counting sequence 0 (its steps are all equal).
 */
export function looksNonRandom(bytes: Uint8Array): boolean {
  const values = [...bytes];
  const steps = values.slice(1).map((value, i) => (value - values[i]! + 256) % 256);
  return Math.min(bitsPerSymbol(values) * values.length, bitsPerSymbol(steps) * steps.length) < MIN_ESTIMATED_BITS;
}
