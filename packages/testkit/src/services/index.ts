/** Real Redis and PostgreSQL servers for tests, started on loopback and stopped by the test that made them. */
export * from "./LocalPostgres.js"
export * from "./LocalRedis.js"
export { freePort, type LocalService, setupHint, startChild } from "./LocalProcess.js"
