import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Answers what Node refuses before any request exists (headers over
 * `maxHeaderSize`, a malformed request line, a request that took too long) the
 * way Node does — 431, 400 or 408 and the connection closed — but with the
 * security header fields every response carries (`fields`, flat name/value).
 */
export function answerClientError(fields: readonly string[]) {
  let head = "";
  for (let i = 0; i < fields.length; i += 2) head += `${fields[i]}: ${fields[i + 1]}\r\n`;
  return (error: Error & { code?: string }, socket: Duplex): void => {
    // Nothing can be written to a connection that is gone or already answered.
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}Content-Length: 0\r\nConnection: close\r\n\r\n`);
  };
}
