import { ApprovalStore, EnvironmentToken, SpentToken } from "@ccapi/core"
import { approvalStoreContract } from "@ccapi/testkit/contracts"
import { assert, describe, it } from "@effect/vitest"
import { createClient } from "@redis/client"
import { Effect, Option } from "effect"
import { RedisApprovalStore } from "../src/index.js"
import { useLocalRedis } from "./support/LocalRedisFixture.js"

const redis = useLocalRedis()

let stores = 0
const freshPrefix = () => `test${++stores}:`
const storeLayer = (capacity: number, keyPrefix = freshPrefix(), url = redis.url) =>
  RedisApprovalStore.layer({ url, capacity, keyPrefix, commandTimeoutMillis: 1000 })

approvalStoreContract("RedisApprovalStore on a real redis-server", {
  layer: ({ capacity }) => storeLayer(capacity),
  // Nothing listens on this port: what a Redis that is down looks like to the client.
  unavailable: () => storeLayer(100, freshPrefix(), redis.downUrl)
})

/** Two stores (two clients) on one Redis and one fresh key prefix: two replicas of the server. */
const twoReplicas = Effect.gen(function* () {
  const options = { url: redis.url, capacity: 100, keyPrefix: freshPrefix(), commandTimeoutMillis: 1000 }
  return [yield* RedisApprovalStore.make(options), yield* RedisApprovalStore.make(options)] as const
})

const minute = 60_000
const record = (id: string, now: number, ttl = minute) =>
  new EnvironmentToken({ id, chainId: "session", region: "us-east-1", issuedAt: now, expiresAt: now + ttl })

describe("RedisApprovalStore beyond the contract", () => {
  it.live("a record's Redis TTL is its token's lifetime plus the grace period, so Redis forgets it by itself", () => {
    const prefix = freshPrefix()
    return Effect.gen(function* () {
      const store = yield* ApprovalStore
      const now = Date.now()
      yield* store.put("environment_ttl", record("environment_ttl", now, 10 * minute))
      const client = createClient({ url: redis.url })
      yield* Effect.promise(() => client.connect())
      const ttl = yield* Effect.promise(() => client.pTTL(`${prefix}token:environment_ttl`))
      yield* Effect.promise(() => client.close())
      // 10 minutes of life + 1 hour of grace, less the milliseconds since the put.
      assert.isAbove(ttl, 70 * minute - 5_000)
      assert.isAtMost(ttl, 70 * minute)
    }).pipe(Effect.provide(storeLayer(100, prefix)))
  })

  it.live("two replicas (two clients) share the records: of concurrent takes of one id across both, one wins", () =>
    Effect.gen(function* () {
      const [a, b] = yield* twoReplicas
      const now = Date.now()
      for (let round = 0; round < 10; round++) {
        const id = `environment_shared${round}`
        yield* a.put(id, record(id, now))
        assert.isTrue(Option.isSome(yield* b.get(id)), "the other replica sees the record")
        const taken = yield* Effect.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).take(id)),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(taken.filter(Option.isSome).length, 1)
      }
    }).pipe(Effect.scoped)
  )

  it.live(
    "spend across two replicas: of concurrent spends of one token exactly one gets it, and the tombstone stays",
    () =>
      Effect.gen(function* () {
        const [a, b] = yield* twoReplicas
        const now = Date.now()
        for (let round = 0; round < 10; round++) {
          const id = `environment_spend${round}`
          yield* a.put(id, record(id, now))
          const tombstone = new SpentToken({
            id,
            of: "environment",
            chainId: "session",
            issuedAt: now,
            expiresAt: now + 24 * 60 * minute
          })
          const spent = yield* Effect.all(
            Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).spend(tombstone)),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(spent.filter(Option.isSome).length, 1)
          assert.strictEqual(Option.getOrThrow(yield* b.get(id)).kind, "spent")
        }
      }).pipe(Effect.scoped)
  )

  it.live(
    "Redis stopped: every operation is StoreUnavailable at once (no queueing); restarted: the store works again",
    () =>
      Effect.gen(function* () {
        const store = yield* ApprovalStore
        const now = Date.now()
        yield* store.put("environment_before", record("environment_before", now))
        yield* Effect.promise(() => redis.server.stop())
        const started = Date.now()
        const error = yield* Effect.flip(store.get("environment_before"))
        assert.strictEqual(error._tag, "StoreUnavailable")
        assert.match(error.message, /Redis at redis:\/\/127\.0\.0\.1:\d+.*Nothing was changed/)
        assert.isBelow(Date.now() - started, 1500, "refused promptly, not after a hang")
        yield* Effect.promise(() => redis.server.start())
        // The client reconnects in the background (bounded backoff); the restarted Redis is empty (no persistence).
        let answer: Option.Option<unknown> | undefined
        for (let i = 0; i < 60 && answer === undefined; i++) {
          const result = yield* Effect.result(store.get("environment_before"))
          if (result._tag === "Success") answer = result.success
          else yield* Effect.sleep("100 millis")
        }
        assert.isDefined(answer, "the store answered again after Redis came back")
        yield* store.put("environment_after", record("environment_after", Date.now()))
        assert.isTrue(Option.isSome(yield* store.get("environment_after")))
      }).pipe(Effect.provide(storeLayer(100)))
  )
})
