/** Starts better-auth-server.ts in its own process, as spawn-target.ts does for Gatehouse. */
import { fileURLToPath } from "node:url";
import { startChildServer } from "../child-server.js";
import { API_PREFIX, type PeerConfig, type PeerInfo } from "./protocol.js";

export interface Peer extends PeerInfo {
  pid: number;
  url: string;
  /** `samples` timings (ms) of `parallel` concurrent password verifications, inside the peer. */
  timeVerifications(samples: number, parallel: number): Promise<number[]>;
  /** True if get-session with the session cookie answers with the session user. */
  sessionValid(): Promise<boolean>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./better-auth-server.ts", import.meta.url));

export async function startPeer(config: PeerConfig): Promise<Peer> {
  // better-auth's production mode: its defaults as deployed.
  const server = await startChildServer<PeerInfo>({ entry: ENTRY, config, name: "better-auth server", env: { ...process.env, NODE_ENV: "production" } });
  const { info } = server;
  const url = `http://127.0.0.1:${info.port}`;
  return {
    ...info,
    pid: server.pid,
    url,
    async timeVerifications(samples, parallel) {
      const response = await fetch(`${url}/bench/verify?samples=${samples}&parallel=${parallel}`, { method: "POST" });
      if (!response.ok) throw new Error(`better-auth bench control verify: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { ms: number[] }).ms;
    },
    async sessionValid() {
      const response = await fetch(`${url}${API_PREFIX}/get-session`, { headers: { cookie: info.sessionCookie } });
      if (!response.ok) return false;
      const body = (await response.json()) as { user?: { email?: string } } | null;
      return body?.user?.email === info.sessionEmail;
    },
    stop: server.stop,
  };
}
