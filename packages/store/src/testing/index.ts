/**
 * Real services for tests and benchmarks, started and stopped by the caller:
 * a Redis server and a Redis Cluster of their own, a temporary Postgres
 * database, a TCP proxy that can cut a client off from its server or make it
 * hang; and a fake clock that moves only when told. Not used by the store itself.
 */
export { createFakeClock, type FakeClock } from "./fake-clock.js";
export { freePort } from "./free-port.js";
export { createTemporaryDatabase, POSTGRES_ADMIN_URL, postgresAnswers, type TemporaryDatabase } from "./postgres-database.js";
export { redisClusterToolsInstalled, startRedisCluster, type LocalRedisCluster } from "./redis-cluster.js";
export { redisServerInstalled, startRedisServer, type LocalRedisServer } from "./redis-server.js";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";
