import type { OAuthProviderConfig } from "../provider-config.js";
import { createGitHubClient, type GitHubEndpoints } from "./github-client.js";
import { createOidcClient } from "./oidc-client.js";
import type { ProviderClient } from "./provider-client.js";

// Shown on "Sign in with …" buttons when the configuration names none.
const KNOWN_ISSUERS: Record<string, string> = {
  "accounts.google.com": "Google",
  "login.microsoftonline.com": "Microsoft",
  "appleid.apple.com": "Apple",
  "gitlab.com": "GitLab",
};

function displayName(config: OAuthProviderConfig): string {
  if (config.name) return config.name;
  if (!("issuer" in config)) return "GitHub";
  return KNOWN_ISSUERS[new URL(config.issuer).hostname] ?? config.id.charAt(0).toUpperCase() + config.id.slice(1);
}

/** A client for each configured provider, by id, in the configured order. */
export function createProviderClients(configs: readonly OAuthProviderConfig[], githubEndpoints?: GitHubEndpoints): Map<string, ProviderClient> {
  return new Map(
    configs.map((config) => [
      config.id,
      "issuer" in config ? createOidcClient(config, displayName(config)) : createGitHubClient(config, displayName(config), githubEndpoints),
    ]),
  );
}
