import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSqliteBackend, createStore, systemClock } from "../src/index.js";
import { tempSqlitePath } from "./backends.js";

const fixture = fileURLToPath(new URL("./fixtures/write-until-killed.ts", import.meta.url));

describe("sqlite durability", () => {
  it("keeps data across a clean close and reopen", async () => {
    const path = tempSqlitePath();
    const first = createStore(createSqliteBackend({ path, clock: systemClock }));
    await first.set("user:1", { email: "a@example.com" });
    await first.index("users").add("1", "a@example.com");
    await first.log("audit").append("created");
    await first.close();
    const second = createStore(createSqliteBackend({ path, clock: systemClock }));
    expect(await second.get("user:1")).toEqual({ email: "a@example.com" });
    expect(await second.index("users").keyOf("1")).toBe("a@example.com");
    expect(await second.log("audit").get(1)).toBe("created");
    await second.close();
  });

  it("loses no acknowledged write when the process is killed with SIGKILL", async () => {
    const path = tempSqlitePath();
    const child = spawn(process.execPath, ["--import", "tsx", fixture, path, "50"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged = await new Promise<number>((resolve, reject) => {
      let last = -1;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        for (const match of chunk.matchAll(/ack (\d+)/g)) last = Number(match[1]);
        if (last === 49) {
          child.kill("SIGKILL");
          resolve(last + 1);
        }
      });
      child.on("exit", (code) => (last < 49 ? reject(new Error(`writer exited early (${code})`)) : undefined));
    });
    await new Promise((resolve) => child.on("exit", resolve));
    expect(child.signalCode).toBe("SIGKILL");
    const store = createStore(createSqliteBackend({ path, clock: systemClock }));
    for (let i = 0; i < acknowledged; i += 1) expect(await store.get(`k${i}`)).toEqual({ i });
    expect(await store.get("counter")).toBe(acknowledged);
    // Indexes and logs commit with the same group as every other write.
    expect(await store.log("acks").length()).toBe(acknowledged);
    expect((await store.log<number>("acks").page({ order: "asc", limit: 1_000 })).items.map((e) => e.value)).toEqual(
      Array.from({ length: acknowledged }, (_, i) => i),
    );
    expect(await store.index("acks").count()).toBe(acknowledged);
    await store.close();
  });
});
