import { createRequire } from "node:module";

export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_CHARACTERS = 128;

// zxcvbn-ts's list of the most common passwords (≈49,000 entries, from leaked
// password corpora), maintained upstream rather than typed by hand.
const require = createRequire(import.meta.url);
const COMMON_PASSWORDS: ReadonlySet<string> = new Set((require("@zxcvbn-ts/language-common/src/passwords.json") as string[]).map((p) => p.toLowerCase()));

export const commonPasswordCount = COMMON_PASSWORDS.size;

export type PasswordProblem = "blank" | "too_short" | "too_long" | "common" | "email";

/**
 * Length is counted in characters (code points), not UTF-16 units or bytes. No
 * composition rules; refused are passwords anyone would try first (NIST
 * 800-63B §3.1.1.2): common ones, and the account's own address or the part
 * before its `@` (`email`, already lower-cased), in any case or spacing.
 */
export function findPasswordProblem(password: string, email?: string): PasswordProblem | undefined {
  if (password.trim() === "") return "blank";
  const length = [...password].length;
  if (length < PASSWORD_MIN_CHARACTERS) return "too_short";
  if (length > PASSWORD_MAX_CHARACTERS) return "too_long";
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return "common";
  const typed = password.trim().toLowerCase();
  if (email && (typed === email || typed === email.slice(0, email.lastIndexOf("@")))) return "email";
  return undefined;
}

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  blank: "A password cannot be only spaces.",
  too_short: `Use at least ${PASSWORD_MIN_CHARACTERS} characters.`,
  too_long: `Use at most ${PASSWORD_MAX_CHARACTERS} characters.`,
  common: "This password is too common; choose another.",
  email: "Do not use your email address as your password.",
};
