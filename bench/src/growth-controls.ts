/**
 * Bench controls of the growth section, inside the target process: users
 * seeded straight through the store (no HTTP, no bcrypt per user), an admin's
 * access token, and what the store holds (user count, audit trail length and
 * its verification).
 */
import type { Services } from "@gatehouse/auth";
import { PASSWORD } from "./accounts.js";

const SEED_PARALLEL = 128;
const ADMIN_EMAIL = "bench.admin@example.com";

export interface GrowthStats {
  users: number;
  auditLength: number;
  audit?: { ok: boolean; checked: number; brokenAt?: number };
}

export function createGrowthControls(services: Services) {
  let passwordHash: string | undefined;
  let seeded = 0;

  async function seed(count: number): Promise<{ seeded: number; users: number }> {
    passwordHash ??= await services.passwords.hash(PASSWORD);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        next += 1;
        const email = `seed.${(seeded += 1)}.${process.pid}@example.com`;
        const user = await services.users.create({
          email,
          name: null,
          role: "user",
          emailVerified: false,
          mfaEnabled: false,
          passwordHash: passwordHash!,
          createdAt: services.config.clock(),
        });
        if (!user) throw new Error(`seeding ${email}: the address is taken`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEED_PARALLEL, count) }, worker));
    return { seeded: count, users: await services.users.count() };
  }

  async function adminToken(): Promise<{ accessToken: string }> {
    passwordHash ??= await services.passwords.hash(PASSWORD);
    const existing = await services.users.findByEmail(ADMIN_EMAIL);
    if (!existing) {
      await services.users.create({
        email: ADMIN_EMAIL,
        name: null,
        role: "admin",
        emailVerified: true,
        mfaEnabled: false,
        passwordHash,
        createdAt: services.config.clock(),
      });
    }
    const signedIn = await services.signIn.login({ email: ADMIN_EMAIL, password: PASSWORD }, { ip: "127.0.0.1", userAgent: "bench", requestId: "bench-admin" });
    if (!("tokens" in signedIn)) throw new Error("the bench admin has two-factor on");
    return { accessToken: signedIn.tokens.accessToken };
  }

  async function stats(verify: boolean): Promise<GrowthStats> {
    const [users, page] = await Promise.all([services.users.count(), services.audit.page(undefined, 1)]);
    return { users, auditLength: page.items[0]?.seq ?? 0, ...(verify ? { audit: await services.audit.verify() } : {}) };
  }

  /** Undefined for a path that is not one of these controls. */
  return async (path: string, query: URLSearchParams): Promise<unknown> => {
    switch (path) {
      case "seed":
        return seed(Number(query.get("count") ?? 0));
      case "admin-token":
        return adminToken();
      case "growth":
        return stats(query.get("verify") === "1");
      default:
        return undefined;
    }
  };
}
