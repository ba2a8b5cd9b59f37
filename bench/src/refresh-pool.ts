import type autocannon from "autocannon";

/**
 * Unused refresh tokens for `auth.refresh` in token mode. Every request takes
 * a token no request has sent before; a 200 hands back the rotated successor,
 * which joins the back of the queue as a fresh, never-sent token. No token is
 * ever presented twice, so the reuse detection never fires. A token whose
 * answer is lost (a run ends mid-flight, an error) simply leaves the pool.
 */
export function createRefreshPool(initial: readonly string[]) {
  const queue = [...initial];
  let exhausted = 0;

  const take = (): string => {
    const token = queue.shift();
    if (token !== undefined) return token;
    exhausted += 1;
    return "pool-exhausted"; // answered 401 and counted as non-2xx
  };

  const giveBack = (status: number, body: string): void => {
    if (status !== 200) return;
    const successor = (JSON.parse(body) as { result?: { data?: { refreshToken?: string } } }).result?.data?.refreshToken;
    if (successor) queue.push(successor);
  };

  return {
    /** The autocannon request: a distinct token in each body, the successor collected from each answer. */
    request(): autocannon.Request {
      return {
        method: "POST",
        path: "/trpc/auth.refresh",
        headers: { "content-type": "application/json", "x-auth-mode": "token" },
        setupRequest: (request) => {
          request.body = JSON.stringify({ refreshToken: take() });
          return request;
        },
        onResponse: (status, body) => giveBack(status, body),
      };
    },
    size: () => queue.length,
    /** Requests sent with no unused token left (each one is also a non-2xx). */
    exhausted: () => exhausted,
  };
}
