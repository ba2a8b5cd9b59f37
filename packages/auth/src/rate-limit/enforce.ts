import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { emailSchema } from "../features/auth/schema.js";
import { presentedDeviceToken } from "../features/devices/transport.js";
import type { LimitRule } from "./limit-rules.js";
import { hitSlidingWindow, type WindowDecision } from "./sliding-window.js";
import { slowDownMs } from "./slow-down.js";

/**
 * What a rate-limited call is counted by. `email_or_device`: by the email, or
 * by the device alone when the call presents a device credential of that
 * account, so a flood against an email cannot shut its owner out.
 */
export type LimitSubject = "ip" | "email" | "email_or_device";

/** A procedure's own rules, declared next to it; procedures without any get `default`. */
export interface LimitDeclaration {
  rule: Exclude<LimitRule, "login.lockout" | "default">;
  by: LimitSubject;
}

interface Hit {
  rule: LimitRule;
  keyKind: string;
  decision: WindowDecision;
}

/**
 * Counts the call against each of its rules before the procedure runs, so a
 * refused call costs a few store operations and never a password hash. Sets
 * the rate-limit headers and throws `rate_limited` with Retry-After.
 *
 * Rules already in `ctx.countedRules` are skipped and the ones counted here are
 * added, so a call counted early in the HTTP layer is never counted twice, and
 * a rule the early count could not key (no email in the body as it read it) is
 * still counted by the middleware from the input tRPC parsed.
 */
export async function enforceRateLimits(ctx: Context, declared: readonly LimitDeclaration[] | undefined, rawInput: unknown): Promise<void> {
  const { config } = ctx.services;
  const keyed = declared?.length ? await Promise.all(declared.filter((d) => !ctx.countedRules.has(d.rule)).map((d) => keyFor(ctx, d, rawInput))) : ctx.countedRules.has("default") ? [] : [await defaultKey(ctx)];
  const targets = keyed.filter((t): t is NonNullable<typeof t> => t !== undefined);
  const hits: Hit[] = await Promise.all(
    targets.map(async (t) => ({ rule: t.rule, keyKind: t.keyKind, decision: await hitSlidingWindow(config.store, config.clock, `${t.rule}:${t.key}`, config.limits[t.rule]) })),
  );
  for (const hit of hits) ctx.countedRules.add(hit.rule);
  if (hits.length === 0) return;
  setRateLimitHeaders(ctx, hits);
  const refused = hits.filter((h) => !h.decision.allowed);
  if (refused.length === 0) return;
  const retryAfterSeconds = Math.max(...refused.map((h) => h.decision.retryAfterSeconds));
  ctx.holdAnswerMs = Math.max(ctx.holdAnswerMs, slowDownMs(refused.map((h) => h.decision), config.slowDownMaxMs));
  for (const hit of refused) {
    ctx.services.events.warn("rate_limited", { rule: hit.rule, key: hit.keyKind, request: ctx.meta });
  }
  throw new AuthError("rate_limited", { message: `Too many requests; try again in ${retryAfterSeconds} s.`, retryAfterSeconds });
}

async function keyFor(ctx: Context, declaration: LimitDeclaration, rawInput: unknown) {
  if (declaration.by === "ip") return { rule: declaration.rule, keyKind: "ip", key: `ip:${ctx.meta.ip}` };
  const email = emailSchema.safeParse((rawInput as { email?: unknown } | undefined)?.email);
  // Input that is not an email fails validation anyway; the IP rules still count it.
  if (!email.success) return undefined;
  const device = declaration.by === "email_or_device" ? await ctx.services.devices.find(presentedDeviceToken(ctx, rawInput), email.data) : undefined;
  if (device) return { rule: declaration.rule, keyKind: "device", key: `device:${device.id}` };
  return { rule: declaration.rule, keyKind: "email", key: `email:${email.data}` };
}

/** Authenticated callers are counted per user (offices share IPs) or per API key; everyone else per IP. */
async function defaultKey(ctx: Context) {
  if (ctx.bearerToken?.startsWith("gth_")) {
    // Only a real key gets a bucket of its own; made-up ones count against the IP.
    const keyId = await ctx.services.apiKeys.identify(ctx.bearerToken);
    return keyId ? { rule: "default" as const, keyKind: "api_key", key: `key:${keyId}` } : { rule: "default" as const, keyKind: "ip", key: `ip:${ctx.meta.ip}` };
  }
  if (ctx.bearerToken) {
    const verified = await ctx.services.accessTokens.verify(ctx.bearerToken);
    if (verified.ok) return { rule: "default" as const, keyKind: "user", key: `user:${verified.claims.sub}` };
  }
  return { rule: "default" as const, keyKind: "ip", key: `ip:${ctx.meta.ip}` };
}

function setRateLimitHeaders(ctx: Context, hits: Hit[]): void {
  const tightest = hits.reduce((a, b) => (b.decision.remaining < a.decision.remaining ? b : a));
  const nowSeconds = Math.floor(ctx.services.config.clock() / 1000);
  ctx.setHeader("X-RateLimit-Limit", String(tightest.decision.limit));
  ctx.setHeader("X-RateLimit-Remaining", String(tightest.decision.remaining));
  ctx.setHeader("X-RateLimit-Reset", String(nowSeconds + tightest.decision.resetSeconds));
  // draft-ietf-httpapi-ratelimit-headers: named policies (quota q, window w) and their state (remaining r, reset t).
  const limits = ctx.services.config.limits;
  ctx.setHeader("RateLimit-Policy", hits.map((h) => `"${h.rule}";q=${limits[h.rule].max};w=${limits[h.rule].windowSeconds}`).join(", "));
  ctx.setHeader("RateLimit", hits.map((h) => `"${h.rule}";r=${h.decision.remaining};t=${h.decision.resetSeconds}`).join(", "));
}
