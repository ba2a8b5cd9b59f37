import type { Logger, Services } from "@gatehouse/auth";

/** Creates the configured admin when no user has that email yet; an existing account is left as it is. */
export async function bootstrapAdmin(services: Services, email: string, password: string, logger: Logger): Promise<void> {
  if (await services.users.findByEmail(email)) return;
  services.signIn.assertStrongPassword(password, email);
  const created = await services.users.create({
    email,
    name: null,
    role: "admin",
    emailVerified: true,
    mfaEnabled: false,
    passwordHash: await services.passwords.hash(password),
    createdAt: services.config.clock(),
  });
  if (created) logger.info({ event: "admin_bootstrapped", userId: created.id });
}
