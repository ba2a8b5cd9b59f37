import { createHash } from "node:crypto";

export interface Script {
  source: string;
  sha: string;
}

/** A Lua script and its SHA-1, so it can be run by EVALSHA (see the Redis backend's runScript). */
export const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") });

export type RunScript = (script: Script, keys: string[], args: string[]) => Promise<unknown>;
