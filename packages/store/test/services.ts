import {
  createTemporaryDatabase,
  POSTGRES_ADMIN_URL,
  postgresAnswers,
  redisClusterToolsInstalled,
  startRedisCluster,
  type LocalRedisCluster,
  type TemporaryDatabase,
} from "../src/testing/index.js";

/** The Postgres server tests create their databases on (trust auth, user postgres). */
export const POSTGRES_URL = process.env.POSTGRES_URL ?? POSTGRES_ADMIN_URL;
const ci = process.env.CI === "true";

/**
 * Postgres tests run whenever Postgres answers. Outside CI they may skip with
 * a message; under CI=true a missing Postgres is a failure, never a silent skip.
 */
export async function postgresAvailable(): Promise<boolean> {
  if (await postgresAnswers(POSTGRES_URL)) return true;
  if (ci) throw new Error(`CI=true but no Postgres answers at ${POSTGRES_URL} (user postgres, trust auth)`);
  console.warn(`Skipping Postgres tests: no Postgres answers at ${POSTGRES_URL}.`);
  return false;
}

/** Redis Cluster tests start their own cluster: they need redis-server and redis-cli, nothing else. */
export function redisClusterAvailable(): boolean {
  if (redisClusterToolsInstalled()) return true;
  if (ci) throw new Error("CI=true but redis-server or redis-cli is not installed");
  console.warn("Skipping Redis Cluster tests: redis-server or redis-cli is not on PATH.");
  return false;
}

// One database and one cluster per test file, shared by its tests (each test uses its own key prefix).
let database: Promise<TemporaryDatabase> | undefined;
let cluster: Promise<LocalRedisCluster> | undefined;

export const sharedDatabase = (): Promise<TemporaryDatabase> => (database ??= createTemporaryDatabase(POSTGRES_URL));
export const sharedCluster = (): Promise<LocalRedisCluster> => (cluster ??= startRedisCluster());

/** Drops the file's database and stops its cluster (call from afterAll). */
export async function stopSharedServices(): Promise<void> {
  const [db, nodes] = [database, cluster];
  database = cluster = undefined;
  await Promise.all([db?.then((d) => d.drop()), nodes?.then((c) => c.stop())]);
}
