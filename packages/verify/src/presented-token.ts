import { VerifyError } from "./errors.js";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
// Gatehouse API keys: real credentials, but for Gatehouse's own API only.
export const API_KEY_PREFIX = "gth_";

/** The token in an `Authorization` header's value, or the token itself. */
export function presentedToken(tokenOrAuthorizationHeader: string | null | undefined): string {
  const text = (tokenOrAuthorizationHeader ?? "").trim();
  if (text === "") throw new VerifyError("token_invalid", "Send an access token as Authorization: Bearer …");
  const token = /\s/.test(text) ? BEARER.exec(text)?.[1] : text;
  if (!token) throw new VerifyError("token_invalid", "The Authorization header is not Bearer <token>.");
  if (token.startsWith(API_KEY_PREFIX)) throw new VerifyError("forbidden", "API keys are for Gatehouse's own API; send a user's access token.");
  return token;
}
