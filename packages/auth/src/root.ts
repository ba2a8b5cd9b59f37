import { accountsRouter } from "./features/accounts/router.js";
import { activityRouter } from "./features/activity/router.js";
import { adminRouter } from "./features/admin/router.js";
import { apiKeysRouter } from "./features/api-keys/router.js";
import { emailCodeRouter } from "./features/email-codes/router.js";
import { introspectionProcedures } from "./features/introspection/router.js";
import { mfaRouter } from "./features/mfa/router.js";
import { passkeysRouter } from "./features/passkeys/router.js";
import { passkeySignInRouter } from "./features/passkeys/sign-in-router.js";
import { recoveryRouter } from "./features/recovery/router.js";
import { oauthProcedures } from "./features/oauth/router.js";
import { sessionsRouter } from "./features/sessions/router.js";
import { sessionTokenRouter } from "./features/sessions/token-router.js";
import { signInRouter } from "./features/sign-in/router.js";
import { usersRouter } from "./features/users/router.js";
import { router } from "./trpc.js";

export const appRouter = router({
  // Every way to sign in lives under `auth.`, each feature in its own folder.
  auth: {
    ...signInRouter,
    ...recoveryRouter,
    ...sessionTokenRouter,
    ...introspectionProcedures,
    ...emailCodeRouter,
    ...passkeySignInRouter,
    ...oauthProcedures,
  },
  passkeys: passkeysRouter,
  sessions: sessionsRouter,
  mfa: mfaRouter,
  apiKeys: apiKeysRouter,
  users: usersRouter,
  activity: activityRouter,
  admin: adminRouter,
  accounts: accountsRouter,
});

export type AppRouter = typeof appRouter;
