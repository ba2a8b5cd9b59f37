import { createServer } from "node:http";
import { createVerifier } from "@gatehouse/verify";
import { DEFAULT_PAGE_DIR } from "./build-page.js";
import { readEnv } from "./env.js";
import { SCOPES_BY_ROLE } from "./router.js";
import { createNotesService } from "./server.js";

const parsed = readEnv();
if (!parsed.ok) {
  for (const error of parsed.errors) process.stderr.write(`notes: invalid configuration: ${error}\n`);
  process.exit(1);
}
const { env } = parsed;
const gatehouseUrl = env.GATEHOUSE_URL.replace(/\/$/, "");

const verifier = createVerifier({
  issuer: env.AUTH_ISSUER,
  audience: env.AUTH_AUDIENCE,
  ...(env.AUTH_JWT_SECRET ? { secret: env.AUTH_JWT_SECRET } : {}),
  ...(env.GATEHOUSE_JWKS === "1" ? { jwksUrl: `${gatehouseUrl}/.well-known/jwks.json` } : {}),
  ...(env.GATEHOUSE_INTROSPECT_KEY ? { introspect: { url: gatehouseUrl, apiKey: env.GATEHOUSE_INTROSPECT_KEY } } : {}),
  scopesByRole: SCOPES_BY_ROLE,
});

const server = createServer(createNotesService({ verifier, gatehouseUrl, pageDir: DEFAULT_PAGE_DIR }));
server.listen(env.PORT, env.HOST, () => {
  process.stdout.write(`notes: http://${env.HOST}:${env.PORT} (signing in at ${gatehouseUrl}; list this origin in its CORS_ORIGINS)\n`);
});
