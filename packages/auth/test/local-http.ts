import { createServer, request, type IncomingHttpHeaders, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A plain node:http server on a free port, closed after the test. */
export async function serve(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return (server.address() as AddressInfo).port;
}

export interface Answer {
  status?: number;
  headers?: IncomingHttpHeaders;
  /** Header names and values as sent, alternating. */
  raw?: string[];
  body?: string;
  /** The error code when the connection failed instead (ECONNRESET). */
  error?: string;
}

/** GET `path` on a fresh connection. */
export function get(port: number, path = "/"): Promise<Answer> {
  return new Promise((resolve) => {
    request({ port, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders, body }));
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
    })
      .on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code }))
      .end();
  });
}
