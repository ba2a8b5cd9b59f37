import type { ServerResponse } from "node:http";
import { endWithTurn } from "./end-with-turn.js";

/**
 * One answer's header fields, kept as a flat name/value list and written with
 * a single `res.writeHead(status, list)`. `res.setHeader` files every field
 * under its lower-cased name in a dictionary made for each response; an API
 * answer carries about fifteen fields (security, rate-limit, request id), and
 * under callgrind a dozen cost 43k instructions that way against 17k as one
 * list (measured with `pnpm bench` under callgrind). Node validates every name and value
 * in `writeHead` either way, so no field can smuggle a line break.
 */
export interface Reply {
  readonly res: ServerResponse;
  /** Sets a field, replacing an earlier one of the same name (names compare case-insensitively). */
  set(name: string, value: string): void;
  /** Adds a field beside any of the same name (Set-Cookie). */
  append(name: string, value: string): void;
  /** Adds to Vary rather than replacing it (CORS varies by Origin, tRPC by its content negotiation). */
  vary(value: string): void;
  /** Writes the status and fields (Content-Length from the body) and ends the answer with the event loop's turn. */
  send(status: number, body?: Buffer | string): void;
}

/**
 * `onUnsendable` hears of a field Node refuses to send (a line break in a value):
 * a bug of ours, answered with a reset rather than a smuggled header. Node's
 * error names the field, never its value.
 */
export function createReply(res: ServerResponse, initialFields: readonly string[] = [], onUnsendable?: (error: unknown) => void): Reply {
  const fields = initialFields.slice();
  const indexOf = (name: string): number => {
    let lower: string | undefined;
    for (let i = 0; i < fields.length; i += 2) {
      const existing = fields[i]!;
      if (existing.length !== name.length) continue;
      lower ??= name.toLowerCase();
      if (existing.toLowerCase() === lower) return i;
    }
    return -1;
  };
  return {
    res,
    set(name, value) {
      const at = indexOf(name);
      if (at < 0) fields.push(name, value);
      else fields[at + 1] = value;
    },
    append(name, value) {
      fields.push(name, value);
    },
    vary(value) {
      const at = indexOf("vary");
      if (at < 0) fields.push("Vary", value);
      else fields[at + 1] = `${fields[at + 1]}, ${value}`;
    },
    send(status, body) {
      if (body !== undefined) fields.push("Content-Length", String(typeof body === "string" ? Buffer.byteLength(body) : body.length));
      try {
        res.writeHead(status, fields);
      } catch (error) {
        res.destroy();
        onUnsendable?.(error);
        return;
      }
      endWithTurn(res, body);
    },
  };
}
