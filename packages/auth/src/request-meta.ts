/** The longest user agent recorded (on sessions, in the audit trail and activity); longer ones are cut. */
export const USER_AGENT_MAX_LENGTH = 512;

/** Who is asking, as far as the transport can tell; recorded on sessions and in logs. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
  requestId: string;
}

/** Enough of an address for an operator to correlate, not enough to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "***";
  return `${email[0]}***${email.slice(at)}`;
}
