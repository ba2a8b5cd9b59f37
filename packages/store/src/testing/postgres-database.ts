import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server tests and benchmarks use: trust auth, user `postgres` (POSTGRES_URL overrides it). */
export const POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TemporaryDatabase {
  /** `postgres://…/<name>`: a database of its own, empty. */
  url: string;
  name: string;
  /** Drops the database, ending whatever connections are still open to it. */
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** True when Postgres accepts a connection at `adminUrl`. */
export async function postgresAnswers(adminUrl = POSTGRES_ADMIN_URL): Promise<boolean> {
  try {
    await withAdmin(adminUrl, (client) => client.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

/** Creates a uniquely named database on the server at `adminUrl`, for one test run or benchmark. */
export async function createTemporaryDatabase(adminUrl = POSTGRES_ADMIN_URL, label = "test"): Promise<TemporaryDatabase> {
  const name = `gatehouse_${label}_${randomBytes(8).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
