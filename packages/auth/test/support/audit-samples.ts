/** The key audit-trail tests chain entries under. */
export const AUDIT_TEST_KEY = new TextEncoder().encode("audit-test-key-audit-test-key-32");

/** The `i`th of a run of distinct audit entries. */
export const auditSample = (i: number) => ({
  actor: `u${i}`,
  action: "login_success",
  target: `u${i}`,
  result: "success" as const,
  ip: "127.0.0.1",
  userAgent: "test",
  requestId: `r${i}`,
});
