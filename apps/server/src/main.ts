import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { createGatehouseServer, createLogger, createServices, type Logger } from "@gatehouse/auth";
import { createMailer, outboxDir } from "./mail-transport.js";
import { createDevMailbox, DEV_MAILBOX_PATH } from "./dev-mailbox.js";
import { openStore, type Store } from "@gatehouse/store";
import { bootstrapAdmin } from "./bootstrap-admin.js";
import { readEnv } from "./env.js";
import { loadSigningKeys } from "./signing-keys.js";
import { DEFAULT_SITE_DIR, loadStaticSite } from "./static-site.js";

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const parsed = readEnv();
  if (!parsed.ok) {
    for (const error of parsed.errors) process.stderr.write(`gatehouse: invalid configuration: ${error}\n`);
    process.exit(1);
  }
  const { env } = parsed;
  const logger = createLogger({ level: env.LOG_LEVEL });
  mkdirSync(env.AUTH_DATA_DIR, { recursive: true });

  let store: Store;
  try {
    store = await openStore(env.AUTH_STORE_URL, { prefix: env.AUTH_STORE_PREFIX });
    await store.ping();
  } catch (error) {
    logger.fatal({ event: "store_unavailable", err: error }, `cannot open the store at ${redactUrl(env.AUTH_STORE_URL)}`);
    process.exit(1);
  }

  const { keys, dataKey } = await loadSigningKeys(env, logger);
  const services = await createServices({
    store,
    logger,
    keys,
    dataKey,
    requireVerifiedEmail: env.AUTH_REQUIRE_VERIFIED_EMAIL,
    appUrl: env.APP_URL,
    passwordlessSignup: env.AUTH_PASSWORDLESS_SIGNUP,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    production: env.NODE_ENV === "production",
    trustProxy: env.TRUST_PROXY,
    bcryptCost: env.AUTH_BCRYPT_COST,
    accessTokenTtlSeconds: env.AUTH_ACCESS_TTL,
    limits: env.AUTH_LIMITS,
    corsOrigins: env.CORS_ORIGINS,
    mailer: createMailer(env, logger),
    alertWebhookUrl: env.ALERT_WEBHOOK_URL,
    alertWebhookSecret: env.ALERT_WEBHOOK_SECRET,
    auditRetentionDays: env.AUTH_AUDIT_RETENTION_DAYS,
    oauthProviders: env.AUTH_OAUTH_PROVIDERS,
  });
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
    try {
      await bootstrapAdmin(services, env.ADMIN_EMAIL, env.ADMIN_PASSWORD, logger);
    } catch (error) {
      process.stderr.write(`gatehouse: invalid configuration: ADMIN_PASSWORD: ${error instanceof Error ? error.message : "refused"}\n`);
      process.exit(1);
    }
  }

  const siteDir = env.DEMO_DIR ? resolve(env.DEMO_DIR) : DEFAULT_SITE_DIR;
  const site = await loadStaticSite(siteDir, {
    production: env.NODE_ENV === "production",
    onResponse: (info) => logger.info({ event: "request", ...info }),
  });
  if (site) logger.info({ event: "demo_served", dir: site.dir, files: site.fileCount }, `serving the demo app from ${site.dir}`);
  else logger.warn({ event: "demo_missing", dir: siteDir }, `no built demo app in ${siteDir} (pnpm --filter @gatehouse/demo build): serving the API only`);

  // Development only: the outbox's mails for the demo's mailbox page (readable by anyone who reaches this server).
  const mailDir = outboxDir(env);
  const mailbox = mailDir === undefined ? undefined : createDevMailbox(mailDir);
  if (mailbox) logger.info({ event: "dev_mailbox", path: DEV_MAILBOX_PATH }, `the outbox's mails are listed at ${DEV_MAILBOX_PATH} (development only)`);
  const serveFirst = [mailbox, site?.handle].filter((handler) => handler !== undefined);
  const server = createGatehouseServer(services, serveFirst.length ? { serveFirst: (req, res) => serveFirst.some((handle) => handle(req, res)) } : {});
  server.listen(env.PORT, env.HOST, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : env.PORT;
    logger.info(
      { event: "server_started", url: `http://${env.HOST}:${port}`, store: redactUrl(env.AUTH_STORE_URL) },
      `Gatehouse listening on http://${env.HOST}:${port}`,
    );
  });
  server.on("error", (error) => {
    logger.fatal({ event: "server_error", err: error }, "the server could not listen");
    process.exit(1);
  });

  const shutdown = (signal: string) => {
    logger.info({ event: "shutdown", signal }, "draining connections");
    // Stop accepting, let in-flight requests finish, then close the store.
    server.close(
      () =>
        void Promise.all([services.mail.drain(), services.events.drain()])
          .then(() => closeStore(store, logger))
          .then(() => process.exit(0)),
    );
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn({ event: "shutdown_forced" }, "requests still running after the grace period");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

async function closeStore(store: Store, logger: Logger): Promise<void> {
  await store.close().catch((error: unknown) => logger.error({ event: "store_close_failed", err: error }));
}

/** Store URLs may carry a password (redis://:secret@host); logs get the rest. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

await main();
