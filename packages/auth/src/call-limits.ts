import type { Context } from "./context.js";
import { AuthError } from "./errors.js";
import type { AttemptRule, LimitRule } from "./rate-limit/limit-rules.js";
import type { WindowDecision } from "./rate-limit/sliding-window.js";
import { slowDownMs } from "./rate-limit/slow-down.js";
import { API_KEY_PREFIX } from "./tokens/api-key-prefix.js";

/**
 * What a rate-limited call is counted by. `email_or_device`: by the email, or
 * by the device alone when the call presents a device credential of that
 * account, so a flood against an email cannot shut its owner out. `user`: the
 * signed-in caller. `email_or_user`: the email in the input, or else the
 * signed-in caller's address, so both ways of asking share one count.
 */
export type LimitSubject = "ip" | "email" | "email_or_device" | "user" | "email_or_user";

/** The key a call is counted under for a subject; undefined when the call gives none (its input fails validation anyway). */
export type LimitKeyResolver = (ctx: Context, rawInput: unknown) => Promise<{ keyKind: string; key: string } | undefined>;

/** How each subject but the IP is found in a call: supplied by the features that know tokens, emails and devices. */
export type LimitKeyResolvers = Readonly<Record<Exclude<LimitSubject, "ip">, LimitKeyResolver>>;

/** A procedure's own rules, declared next to it; procedures without any get `default`. */
export interface LimitDeclaration {
  rule: Exclude<LimitRule, AttemptRule | "default">;
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
 * Rules the HTTP layer counted the call against before tRPC ran (`ctx.limits`)
 * are skipped, and a rule the early count could not key (no email in the body
 * as it read it) is still counted here from the input tRPC parsed.
 */
export function enforceRateLimits(ctx: Context, declared: readonly LimitDeclaration[] | undefined, rawInput: unknown): Promise<void> {
  return enforce(ctx, declared, rawInput, false);
}

/** `enforceRateLimits` in the HTTP layer before tRPC runs: the rules counted are recorded in `ctx.limits`. */
export function countAhead(ctx: Context, declared: readonly LimitDeclaration[] | undefined, rawInput: unknown): Promise<void> {
  return enforce(ctx, declared, rawInput, true);
}

async function enforce(ctx: Context, declared: readonly LimitDeclaration[] | undefined, rawInput: unknown, ahead: boolean): Promise<void> {
  const targets = declared?.length ? await declaredTargets(ctx, declared, rawInput) : ctx.limits.has("default") ? [] : [await defaultTarget(ctx)];
  if (targets.length === 0) return;
  // Most calls count one rule (`default`): no Promise.all for it.
  const hits = targets.length === 1 ? [await countHit(ctx, targets[0]!)] : await Promise.all(targets.map((target) => countHit(ctx, target)));
  if (ahead) for (const hit of hits) ctx.limits.record(hit.rule);
  setRateLimitHeaders(ctx, hits);
  const refused = hits.filter((h) => !h.decision.allowed);
  if (refused.length === 0) return;
  const { config } = ctx.services;
  const retryAfterSeconds = Math.max(...refused.map((h) => h.decision.retryAfterSeconds));
  ctx.http.holdAnswer(
    slowDownMs(
      refused.map((h) => h.decision),
      config.slowDownMaxMs,
    ),
  );
  for (const hit of refused) {
    ctx.services.events.emit("rate_limited", { rule: hit.rule, key: hit.keyKind, request: ctx.meta });
  }
  throw new AuthError("rate_limited", { message: `Too many requests; try again in ${retryAfterSeconds} s.`, retryAfterSeconds });
}

interface Target {
  rule: LimitRule;
  keyKind: string;
  key: string;
}

async function countHit(ctx: Context, target: Target): Promise<Hit> {
  return { rule: target.rule, keyKind: target.keyKind, decision: await ctx.services.limiter.hit(target.rule, target.key) };
}

async function declaredTargets(ctx: Context, declared: readonly LimitDeclaration[], rawInput: unknown): Promise<Target[]> {
  const keyed = await Promise.all(declared.filter((d) => !ctx.limits.has(d.rule)).map((d) => keyFor(ctx, d, rawInput)));
  return keyed.filter((t): t is Target => t !== undefined);
}

async function keyFor(ctx: Context, declaration: LimitDeclaration, rawInput: unknown): Promise<Target | undefined> {
  if (declaration.by === "ip") return { rule: declaration.rule, keyKind: "ip", key: `ip:${ctx.meta.ip}` };
  const subject = await ctx.services.limitKeys[declaration.by](ctx, rawInput);
  return subject && { rule: declaration.rule, ...subject };
}

/** Authenticated callers are counted per user (offices share IPs) or per API key; everyone else per IP. */
async function defaultTarget(ctx: Context): Promise<Target> {
  if (ctx.bearerToken?.startsWith(API_KEY_PREFIX)) {
    // Only a real key gets a bucket of its own; made-up ones count against the IP.
    const keyId = await ctx.services.apiKeys.identify(ctx.bearerToken);
    return keyId ? { rule: "default", keyKind: "api_key", key: `key:${keyId}` } : { rule: "default", keyKind: "ip", key: `ip:${ctx.meta.ip}` };
  }
  if (ctx.bearerToken) {
    const verified = await ctx.services.accessTokens.verify(ctx.bearerToken);
    if (verified.ok) return { rule: "default", keyKind: "user", key: `user:${verified.claims.sub}` };
  }
  return { rule: "default", keyKind: "ip", key: `ip:${ctx.meta.ip}` };
}

function setRateLimitHeaders(ctx: Context, hits: readonly Hit[]): void {
  const limits = ctx.services.config.limits;
  let tightest = hits[0]!;
  // draft-ietf-httpapi-ratelimit-headers: named policies (quota q, window w) and their state (remaining r, reset t).
  let policies = "";
  let states = "";
  for (const hit of hits) {
    if (hit.decision.remaining < tightest.decision.remaining) tightest = hit;
    const separator = policies ? ", " : "";
    policies += `${separator}"${hit.rule}";q=${limits[hit.rule].max};w=${limits[hit.rule].windowSeconds}`;
    states += `${separator}"${hit.rule}";r=${hit.decision.remaining};t=${hit.decision.resetSeconds}`;
  }
  const nowSeconds = Math.floor(ctx.services.config.clock() / 1000);
  ctx.http.setHeader("X-RateLimit-Limit", String(tightest.decision.limit));
  ctx.http.setHeader("X-RateLimit-Remaining", String(tightest.decision.remaining));
  ctx.http.setHeader("X-RateLimit-Reset", String(nowSeconds + tightest.decision.resetSeconds));
  ctx.http.setHeader("RateLimit-Policy", policies);
  ctx.http.setHeader("RateLimit", states);
}

// About one verification at the default cost 12 (233 ms measured here): roughly when a hashing slot frees.
const OVERLOADED_HOLD_MS = 250;

/**
 * Holds a 503 `overloaded` answer (hashing saturated: a login, signup, reset
 * or password change) for about one verification, at most `slowDownMaxMs`.
 * A client that retries the moment it is refused (a login storm, a retry loop
 * without backoff) would otherwise get refusals as fast as the event loop can
 * write them, and those refusals would take the CPU that token checks and the
 * hashing itself need; held, each connection costs a few refusals a second. A
 * client that honours Retry-After (1 s) retries a quarter of a second later.
 * The holds share the slow-down's cap on answers held at once.
 */
export function holdOverloadedAnswer(ctx: Context): void {
  ctx.http.holdAnswer(Math.min(ctx.services.config.slowDownMaxMs, OVERLOADED_HOLD_MS));
}
