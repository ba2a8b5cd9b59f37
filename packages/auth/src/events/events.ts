import { createHmac } from "node:crypto";
import type { Logger } from "../log.js";
import { maskEmail, USER_AGENT_MAX_LENGTH } from "../request-meta.js";
import type { NotifyAlert } from "./alert-notifier.js";
import { eventCatalog, type EventName, type EventSpec } from "./catalog.js";
import type { RequestMeta } from "../request-meta.js";

/** Where audited events are appended: the tamper-evident audit trail. */
export interface AuditSink {
  append(fields: {
    actor: string | null;
    action: string;
    target: string | null;
    result: "success";
    ip: string;
    userAgent: string;
    requestId: string;
  }): Promise<unknown>;
}

/** Where a user's own events are appended: their activity, shown in `activity.list`. */
export interface ActivitySink {
  append(userId: string, entry: { event: string; ip: string; userAgent: string }): Promise<unknown>;
}

export interface EventContext {
  /**
   * The request the event happens in (IP, user agent, id), passed explicitly:
   * an AsyncLocalStorage would carry it implicitly but turns on promise hooks
   * for the whole process, which cost 5–15 % of every call's CPU on Node 20.
   */
  request: RequestMeta | undefined;
  userId?: string | undefined;
  /** Who acted, when not the user the event is about (an admin). */
  actorId?: string | undefined;
  /** A raw address: logged only masked and as a keyed hash, never in clear. */
  email?: string | undefined;
  [key: string]: unknown;
}

/**
 * The one path every security event takes (each named in `eventCatalog`): a JSON log line with the request's
 * IP, user agent and id; an audit-trail entry; an activity entry for the user.
 * Trail and activity entries are the request's records: `settle(request)`
 * resolves once they are written and rejects when one could not be, so the
 * call answers only after its records are kept (or fails with 503 instead of
 * losing one silently). A record that could not be written is also logged in
 * full. `drain` awaits everything still running (alerts included).
 */
export function createEvents(deps: { logger: Logger; audit: AuditSink; activity: ActivitySink; emailKey: Uint8Array; notifyAlert?: NotifyAlert | undefined }) {
  const { logger, audit, activity } = deps;
  const pending = new Set<Promise<unknown>>();
  const recordsOf = new WeakMap<RequestMeta, Array<Promise<unknown>>>();
  const emailRef = (email: string) => createHmac("sha256", deps.emailKey).update(email).digest("base64url").slice(0, 16);

  const track = (name: string, work: Promise<unknown>, record?: { request: RequestMeta | undefined; kept: Record<string, unknown> }) => {
    const tracked = work
      .catch((error: unknown) =>
        logger.error({
          event: "event_store_failed",
          failedEvent: name,
          ...(record ? { record: record.kept } : {}),
          error: error instanceof Error ? error.message : "unknown",
        }),
      )
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
    if (record?.request) {
      const records = recordsOf.get(record.request);
      if (records) records.push(work);
      else recordsOf.set(record.request, [work]);
    }
  };

  function emit(name: EventName, context: EventContext): void {
    const spec: EventSpec = eventCatalog[name];
    const { email, request, ...rest } = context;
    const line = {
      event: name,
      ...rest,
      ...(email ? { email: maskEmail(email), emailRef: emailRef(email) } : {}),
      ip: request?.ip,
      userAgent: request?.userAgent.slice(0, USER_AGENT_MAX_LENGTH),
      requestId: request?.requestId,
    };
    logger[spec.level](line);
    // User agents are attacker-sized; what is kept for months is capped.
    const where = { ip: request?.ip ?? "", userAgent: (request?.userAgent ?? "").slice(0, USER_AGENT_MAX_LENGTH), requestId: request?.requestId ?? "" };
    if (spec.audited) {
      const fields = { actor: context.actorId ?? context.userId ?? null, action: name, target: context.userId ?? null, result: "success" as const, ...where };
      track(name, audit.append(fields), { request, kept: { audit: fields } });
    }
    if (spec.alerted && deps.notifyAlert) {
      track(
        name,
        deps.notifyAlert(name, {
          userId: context.userId ?? null,
          actorId: context.actorId ?? null,
          ip: where.ip,
          userAgent: where.userAgent,
          requestId: where.requestId,
        }),
      );
    }
    if (spec.activity && context.userId) {
      const entry = { event: name, ip: where.ip, userAgent: where.userAgent };
      track(name, activity.append(context.userId, entry), { request, kept: { activity: { userId: context.userId, ...entry } } });
    }
  }

  return {
    /** Logs the event at its catalogued level and records it where the catalog says. */
    emit,
    /**
     * Resolves once the request's audit and activity records so far are
     * written; rejects when one could not be. Every call of a batched request
     * waits for them all (they share the request), so none answers before any is kept.
     */
    settle(request: RequestMeta): Promise<unknown> | undefined {
      const records = recordsOf.get(request);
      return records ? Promise.all(records) : undefined;
    },
    async drain(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export type Events = ReturnType<typeof createEvents>;
