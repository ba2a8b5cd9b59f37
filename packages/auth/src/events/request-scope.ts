import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestMeta } from "../request-meta.js";

/** The request an event happens in, so every event carries its IP, user agent and request id without threading them through. */
export const requestScope = new AsyncLocalStorage<RequestMeta>();
