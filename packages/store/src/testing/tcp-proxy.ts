import { createConnection, createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Drops every connection and refuses new ones: to its clients, the server is gone. */
  cut(): void;
  /** Stops passing bytes either way and holds new connections: to its clients, the server hangs. */
  hang(): void;
  /** Passes connections through again (held ones included). */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to `target` on a port of its own: lets a test take a
 * shared server (Postgres, Redis) away from the code under test, or make it
 * hang, and bring it back, without touching the server itself.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const held: Socket[] = [];
  let state: "open" | "cut" | "hung" = "open";

  const pass = (client: Socket): void => {
    const upstream = createConnection(target);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(socket);
      socket.on("error", () => other.destroy());
      socket.on("close", () => {
        open.delete(socket);
        other.destroy();
      });
      socket.pipe(other);
    }
  };
  const server = createServer((client) => {
    if (state === "cut") return void client.destroy();
    if (state === "hung") {
      client.pause();
      client.on("error", () => {});
      held.push(client);
      return;
    }
    pass(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      state = "cut";
      for (const socket of [...open, ...held.splice(0)]) socket.destroy();
    },
    hang() {
      state = "hung";
      for (const socket of open) socket.pause();
    },
    restore() {
      state = "open";
      for (const socket of open) socket.resume();
      for (const client of held.splice(0)) {
        if (client.destroyed) continue;
        pass(client);
        client.resume();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of [...open, ...held.splice(0)]) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
