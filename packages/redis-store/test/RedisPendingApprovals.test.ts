import { pendingApprovalsContract } from "@ccapi/testkit/contracts"
import { RedisPendingApprovals } from "../src/index.js"
import { useLocalRedis } from "./support/LocalRedisFixture.js"

const redis = useLocalRedis()

let stores = 0
let lastPrefix = ""
const store = (capacity: number, keyPrefix: string, url = redis.url) =>
  RedisPendingApprovals.layer({ url, capacity, keyPrefix, commandTimeoutMillis: 1000 })

pendingApprovalsContract("RedisPendingApprovals on a real redis-server", {
  layer: ({ capacity }) => store(capacity, (lastPrefix = `approvals${++stores}:`)),
  // Another client on the same keys: what a second replica is.
  sameStore: () => store(100, lastPrefix),
  // Nothing listens on this port: what a Redis that is down looks like to the client.
  unavailable: () => store(100, `approvals${++stores}:`, redis.downUrl)
})
