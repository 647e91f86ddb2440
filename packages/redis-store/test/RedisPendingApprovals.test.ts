import { pendingApprovalsContract } from "@ccapi/testkit/contracts"
import { freePort, type LocalRedis, startLocalRedis } from "@ccapi/testkit/services"
import { afterAll, beforeAll } from "@effect/vitest"
import { RedisPendingApprovals } from "../src/index.js"

// One real redis-server for the whole file, on a random loopback port; each store under test gets its own key prefix.
let redis: LocalRedis
let closedPort: number
beforeAll(async () => {
  redis = await startLocalRedis()
  closedPort = await freePort()
})
afterAll(async () => {
  await redis?.dispose()
})

let stores = 0
let lastPrefix = ""
const store = (capacity: number, keyPrefix: string, url = redis.url) =>
  RedisPendingApprovals.layer({ url, capacity, keyPrefix, commandTimeoutMillis: 1000 })

pendingApprovalsContract("RedisPendingApprovals on a real redis-server", {
  layer: ({ capacity }) => store(capacity, (lastPrefix = `approvals${++stores}:`)),
  // Another client on the same keys: what a second replica is.
  sameStore: () => store(100, lastPrefix),
  // Nothing listens on this port: what a Redis that is down looks like to the client.
  unavailable: () => store(100, `approvals${++stores}:`, `redis://127.0.0.1:${closedPort}`)
})
