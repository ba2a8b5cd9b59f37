/**
 * Decodes a shared secret written as hex or base64/base64url, the way the
 * Gatehouse server reads `AUTH_JWT_SECRET` (it imports this function), so a
 * service given the same string holds the same HS256 key. Undefined when the
 * text is neither.
 */
export function decodeSecret(text: string): Uint8Array | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return Buffer.from(value, "base64");
  return undefined;
}
