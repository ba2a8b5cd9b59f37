import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The GitHub user the stand-in signs in, with the addresses GET /user/emails lists. */
export interface GitHubPerson {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface GitHubStandIn {
  endpoints: { authorization: string; token: string; api: string };
  clientId: string;
  clientSecret: string;
  /** Who "is signed in at GitHub" when the next authorization starts. */
  signedIn: GitHubPerson | undefined;
  close(): Promise<void>;
}

const readForm = async (req: IncomingMessage) => {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
};

/**
 * A loopback stand-in for GitHub's OAuth endpoints and the two REST calls
 * Gatehouse makes, in GitHub's documented shapes (docs.github.com: "Authorizing
 * OAuth apps", "REST API: users", "REST API: emails"), including its quirk of
 * answering a bad code with HTTP 200 and `{"error": "bad_verification_code"}`.
 * A test double of an external HTTP API: no real GitHub is reachable from the
 * tests. The OpenID Connect tests run against a real provider instead.
 */
export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const clientId = "Iv1.standin0123";
  const clientSecret = "stand-in-client-secret";
  const codes = new Map<string, { person: GitHubPerson; redirectUri: string; challenge: string | null }>();
  const tokens = new Map<string, GitHubPerson>();
  const state: { signedIn: GitHubPerson | undefined } = { signedIn: undefined };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, "http://stand-in");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      // GitHub shows its consent page; the stand-in approves at once for whoever is signed in.
      const redirect = new URL(url.searchParams.get("redirect_uri")!);
      if (url.searchParams.get("client_id") !== clientId || !state.signedIn) return json(400, { error: "invalid_request" });
      const code = randomBytes(10).toString("hex");
      codes.set(code, { person: state.signedIn, redirectUri: redirect.href, challenge: url.searchParams.get("code_challenge") });
      redirect.searchParams.set("code", code);
      redirect.searchParams.set("state", url.searchParams.get("state")!);
      res.writeHead(302, { Location: redirect.href });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      void readForm(req).then((form) => {
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const pkceOk = grant?.challenge === null || createHash("sha256").update(verifier).digest("base64url") === grant?.challenge;
        if (
          form.get("client_id") !== clientId ||
          form.get("client_secret") !== clientSecret ||
          !grant ||
          grant.redirectUri !== form.get("redirect_uri") ||
          !pkceOk
        ) {
          return json(200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
        }
        const accessToken = `gho_${randomBytes(18).toString("hex")}`;
        tokens.set(accessToken, grant.person);
        json(200, { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" });
      });
      return;
    }
    const person = tokens.get((req.headers.authorization ?? "").replace(/^(Bearer|token) /, ""));
    if (req.method === "GET" && url.pathname.startsWith("/api/")) {
      if (!req.headers["user-agent"])
        return json(403, { message: "Request forbidden by administrative rules. Please make sure your request has a User-Agent header." });
      if (!person) return json(401, { message: "Bad credentials" });
      if (url.pathname === "/api/user") return json(200, { id: person.id, login: person.login, name: person.name, email: null });
      if (url.pathname === "/api/user/emails")
        return json(
          200,
          person.emails.map((e) => ({ ...e, visibility: e.primary ? "private" : null })),
        );
    }
    json(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoints: { authorization: `${base}/login/oauth/authorize`, token: `${base}/login/oauth/access_token`, api: `${base}/api` },
    clientId,
    clientSecret,
    get signedIn() {
      return state.signedIn;
    },
    set signedIn(person) {
      state.signedIn = person;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
