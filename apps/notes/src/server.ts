import { readFileSync } from "node:fs";
import type { RequestListener } from "node:http";
import { join } from "node:path";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Verifier } from "@gatehouse/verify";
import { createNotesStore } from "./notes-store.js";
import { createNotesRouter } from "./router.js";

export interface NotesServiceOptions {
  verifier: Verifier;
  /** Gatehouse's public URL: the page signs in there. */
  gatehouseUrl: string;
  /** The built page (index.html, app.js). */
  pageDir: string;
}

const TRPC_PREFIX = "/trpc/";
const escapeAttribute = (text: string): string => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The notes API under /trpc/, and the page that uses it at /. */
export function createNotesService(options: NotesServiceOptions): RequestListener {
  const api = createHTTPHandler({
    router: createNotesRouter(options.verifier, createNotesStore()),
    basePath: TRPC_PREFIX,
    createContext: ({ req }) => ({ authorization: req.headers.authorization }),
  });
  const html = readFileSync(join(options.pageDir, "index.html"), "utf8").replace("%GATEHOUSE_URL%", escapeAttribute(options.gatehouseUrl));
  const script = readFileSync(join(options.pageDir, "app.js"));
  const page = { "/": { type: "text/html; charset=utf-8", body: html }, "/app.js": { type: "text/javascript; charset=utf-8", body: script } } as const;

  return (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.startsWith(TRPC_PREFIX)) return api(req, res);
    const file = req.method === "GET" ? page[path as keyof typeof page] : undefined;
    if (!file) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    res.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" }).end(file.body);
  };
}
