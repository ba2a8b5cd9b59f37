import type { IncomingMessage } from "node:http";

/**
 * The client address, trusting exactly `trustedHops` reverse proxies: the
 * address that many hops from the right of X-Forwarded-For (the rightmost
 * entries were appended by our proxies; anything further left is what the
 * client claims and could be forged). With 0 the header is ignored.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  const socketAddress = normalise(req.socket.remoteAddress ?? "unknown");
  if (trustedHops <= 0) return socketAddress;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const candidate = hops[hops.length - trustedHops];
  return candidate ? normalise(candidate) : socketAddress;
}

const normalise = (address: string): string => (address.startsWith("::ffff:") ? address.slice(7) : address);
