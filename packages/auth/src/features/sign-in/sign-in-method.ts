/** How a sign-in proved who it is; logged with its outcome (`login_success`, `login_failed`). */
export type SignInMethod = "password" | "email_code" | "passkey" | `oauth:${string}`;
