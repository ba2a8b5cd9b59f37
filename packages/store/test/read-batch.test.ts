import { describe, expect, it } from "vitest";
import { createReadBatcher } from "../src/read-batch.js";

describe("createReadBatcher", () => {
  it("sends the reads started together as one getMany and hands each its own value", async () => {
    const batches: string[][] = [];
    const read = createReadBatcher(async (keys) => {
      batches.push(keys);
      return keys.map((key) => (key === "missing" ? undefined : `value of ${key}`));
    });
    const together = await Promise.all([read("session"), read("user"), read("missing")]);
    expect(together).toEqual(["value of session", "value of user", undefined]);
    const later = await read("next");
    expect(later).toBe("value of next");
    expect(batches).toEqual([["session", "user", "missing"], ["next"]]);
  });

  it("fails every read of a batch whose getMany fails, and serves the next batch", async () => {
    let fail = true;
    const read = createReadBatcher(async (keys) => {
      if (fail) throw new Error("store down");
      return keys.map(() => "ok");
    });
    const results = await Promise.allSettled([read("a"), read("b")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await read("c")).toBe("ok");
  });

  it("fails the reads of a batch whose getMany throws before returning a promise", async () => {
    const read = createReadBatcher(() => {
      throw new Error("not even a promise");
    });
    const results = await Promise.allSettled([read("a"), read("b")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });
});
