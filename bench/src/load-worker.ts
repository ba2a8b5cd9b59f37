/**
 * A second load generator in its own process (`node --import tsx`), for runs
 * where two loads hit the server at once: each line on stdin is a JSON
 * LoadSpec (static requests only), each line on stdout the JSON Measurement.
 */
import { createInterface } from "node:readline";
import { runLoad, type LoadSpec } from "./load.js";

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    const measurement = await runLoad(JSON.parse(line) as LoadSpec);
    process.stdout.write(`${JSON.stringify({ ok: true, measurement })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
  }
}
