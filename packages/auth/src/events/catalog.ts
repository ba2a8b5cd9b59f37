/**
 * Where an event goes besides the log: `audited` appends it to the tamper-evident
 * audit trail, `alerted` sends it to the alert webhook (when one is configured:
 * the suspicious ones), `activity` shows it to the user in `activity.list`.
 */
export interface EventSpec {
  level: "info" | "warn" | "error";
  audited?: true;
  alerted?: true;
  activity?: true;
}

/** Every security event, its log level and its sinks: the one list there is. */
export const eventCatalog = {
  signup: { level: "info", audited: true, activity: true },
  login_success: { level: "info", audited: true, activity: true },
  login_failed: { level: "info", activity: true },
  login_new_ip: { level: "warn", alerted: true, activity: true },
  login_locked: { level: "warn", audited: true, alerted: true },
  logout: { level: "info", audited: true, activity: true },
  refresh_token_reuse: { level: "warn", audited: true, alerted: true, activity: true },
  reauthenticated: { level: "info", activity: true },
  token_revoked: { level: "info" },
  permission_denied: { level: "warn" },
  rate_limited: { level: "warn" },

  password_changed: { level: "info", audited: true, activity: true },
  password_reset: { level: "info", audited: true, activity: true },
  reset_token_created: { level: "info" },
  reset_requested_unknown_email: { level: "info" },
  reset_failed: { level: "info" },
  email_verified: { level: "info", audited: true, activity: true },
  verification_requested: { level: "info" },
  verification_requested_unknown_email: { level: "info" },

  email_code_requested: { level: "info", audited: true, activity: true },
  email_code_requested_unknown_email: { level: "info" },
  email_code_voided: { level: "warn" },

  mfa_enabled: { level: "info", audited: true, activity: true },
  mfa_disabled: { level: "info", audited: true, activity: true },

  passkey_added: { level: "info", audited: true, activity: true },
  passkey_add_failed: { level: "info" },
  passkey_renamed: { level: "info", audited: true, activity: true },
  passkey_removed: { level: "info", audited: true, activity: true },
  passkey_counter_regressed: { level: "warn", audited: true, alerted: true, activity: true },

  api_key_created: { level: "info", audited: true, activity: true },
  api_key_revoked: { level: "info", audited: true, activity: true },

  account_linked: { level: "info", audited: true, activity: true },
  account_unlinked: { level: "info", audited: true, activity: true },

  role_changed: { level: "info", audited: true },
  account_locked_by_admin: { level: "warn", audited: true, alerted: true, activity: true },
  account_unlocked_by_admin: { level: "info", audited: true },
} as const satisfies Record<string, EventSpec>;

export type EventName = keyof typeof eventCatalog;
