import { hkdfSync } from "node:crypto";

/** Each use of the server's data key gets its own derived key, so no two purposes share key material. */
export function deriveSubKey(dataKey: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), `gatehouse ${purpose}`, 32));
}
