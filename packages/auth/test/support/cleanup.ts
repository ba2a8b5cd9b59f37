import { onTestFinished, TestRunner } from "vitest";

/**
 * Inside a test, `close` runs when the test finishes, passed or failed, so a
 * failing assertion leaks nothing. Outside one (a file's shared resource,
 * started in beforeAll) the file's afterAll closes it.
 */
export function closeWhenTestEnds(close: () => Promise<void>): void {
  if (TestRunner.getCurrentTest()) onTestFinished(close);
}
