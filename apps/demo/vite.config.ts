import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The API in development: `pnpm dev` runs the server on :3000 next to this dev server.
const api = { target: "http://127.0.0.1:3000" };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Nothing inlined as data: URLs: the served CSP allows data: for images only.
    assetsInlineLimit: 0,
    // Two pages: the account app, and the procedure console (console.html).
    rolldownOptions: {
      input: { main: fileURLToPath(new URL("index.html", import.meta.url)), console: fileURLToPath(new URL("console.html", import.meta.url)) },
    },
  },
  // The same origin for the page and /trpc, as in production, so the refresh cookie just works. Provider sign-in
  // (/oauth/…) returns to APP_URL: run the server with APP_URL=http://127.0.0.1:5173 to come back to this dev server.
  server: { proxy: { "/trpc": api, "/oauth": api, "/health": api, "/openapi.json": api, "/dev/mailbox.json": api } },
  preview: { proxy: { "/trpc": api, "/oauth": api, "/health": api, "/openapi.json": api, "/dev/mailbox.json": api } },
});
