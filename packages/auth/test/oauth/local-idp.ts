import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** What the IdP says about a person who signs in with a given login (the dev login page takes any login). */
export interface IdpPerson {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface LocalIdp {
  /** http://127.0.0.1:PORT — its discovery document is at /.well-known/openid-configuration. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** By login: the claims given for it; a login not set here gets `<login>@idp.test`, verified. */
  people: Map<string, IdpPerson>;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (the certified `oidc-provider` package) on a loopback
 * port, with one confidential client registered for `redirectUris` and its
 * development login and consent pages (devInteractions). Not a mock: Gatehouse
 * discovers it, is redirected through its pages, and redeems its codes and
 * ID tokens exactly as with any other provider.
 */
export async function startLocalIdp(redirectUris: string[]): Promise<LocalIdp> {
  const people = new Map<string, IdpPerson>();
  const clientId = "gatehouse-test";
  const clientSecret = "local-idp-client-secret-0123456789";
  // Listening before the provider exists: its issuer URL names the port.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    async findAccount(_ctx, accountId) {
      return {
        accountId,
        claims: async () => ({ sub: accountId, email: `${accountId}@idp.test`, email_verified: true, ...people.get(accountId) }),
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    cookies: { keys: ["local-idp-cookie-key-0123456789"] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  });
  const callback = provider.callback();
  server.on("request", ((req, res) => void callback(req, res)) satisfies RequestListener);

  return {
    issuer,
    clientId,
    clientSecret,
    people,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
