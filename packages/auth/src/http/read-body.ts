import type { IncomingMessage } from "node:http";
import { AuthError } from "../errors.js";

const BODYLESS = new Set(["GET", "HEAD"]);
// Decodes as the Fetch API's text() does (a leading byte-order mark dropped), so
// the early rate limiter and tRPC read the same JSON from the same bytes.
const utf8 = new TextDecoder();

/**
 * The request body as text, read whole before anything else looks at it, so
 * every later step (early limits, tRPC) parses one string. GET and HEAD carry
 * none. A body over `maxBytes` is refused with `payload_too_large` as soon as
 * its Content-Length or its running size says so; the rest is never buffered.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  if (BODYLESS.has(req.method ?? "GET")) return Promise.resolve(undefined);
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners("data");
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    req.on("error", reject);
    // A body that arrived whole is still read, and its call still runs, if the client then leaves.
    req.on("close", () => req.complete || reject(new ClientGoneError()));
  });
}

const tooLarge = (): AuthError => new AuthError("payload_too_large");

/** The client closed the connection before its body arrived: nobody is left to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super("the client went away before sending its body");
  }
}
