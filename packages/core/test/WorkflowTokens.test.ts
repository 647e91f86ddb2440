import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Result } from "effect"
import { TestClock } from "effect/testing"
import * as ApprovalStoreMemory from "../src/memory/ApprovalStoreMemory.js"
import { ApprovalStore } from "../src/ports/ApprovalStore.js"
import { EnvironmentToken } from "../src/model/Token.js"
import { assertChain, decodeTokenId, issueToken, readToken, spendToken } from "../src/workflow/WorkflowTokens.js"
import { createPlan, deletePlan } from "./support/Plans.js"
import * as SeededTokenIds from "./support/TokenIds.js"

const minute = 60_000
const store = (capacity = 100) =>
  Layer.merge(ApprovalStoreMemory.layerMemory({ capacity }), SeededTokenIds.layerSeeded())

/** The memory store with a scheduling point before every operation, so concurrent fibers really interleave. */
const interleavingStore = Layer.merge(
  Layer.effect(
    ApprovalStore,
    Effect.map(ApprovalStoreMemory.make({ capacity: 100 }), (inner) =>
      ApprovalStore.of({
        put: (id, record) => Effect.andThen(Effect.yieldNow, inner.put(id, record)),
        get: (id) => Effect.andThen(Effect.yieldNow, inner.get(id)),
        take: (id) => Effect.andThen(Effect.yieldNow, inner.take(id)),
        spend: (tombstone) => Effect.andThen(Effect.yieldNow, inner.spend(tombstone)),
        size: inner.size
      })
    )
  ),
  SeededTokenIds.layerSeeded()
)

const account = { accountId: "111122223333", region: "us-east-1" }

const assertNoLeak = (error: { readonly message: string }, ...ids: ReadonlyArray<string>) => {
  for (const id of ids) {
    assert.notInclude(error.message, id)
    assert.notInclude(error.message, id.slice(-32).slice(0, 12))
  }
}

/** A workflow chain: credentials → generated_code → explained, as the use-cases issue it. */
const chain = (chainId: string) =>
  Effect.gen(function* () {
    const credentials = yield* issueToken(
      "credentials",
      { chainId: "session", parent: "environment_x", ...account },
      60 * minute
    )
    const plan = createPlan()
    const generated = yield* issueToken(
      "generated_code",
      { chainId, parent: credentials, origin: credentials, ...account, plan },
      15 * minute
    )
    const explained = yield* issueToken(
      "explained",
      { chainId, parent: generated, origin: credentials, ...account, plan },
      15 * minute
    )
    return { credentials, generated, explained }
  })

describe("workflow tokens", () => {
  it.effect(
    "an issued token reads back with its fields, an opaque id of at least 128 bits and its kind as prefix",
    () =>
      Effect.gen(function* () {
        const id = yield* issueToken(
          "explained",
          {
            chainId: "w1",
            parent: "generated_code_x",
            accountId: "111122223333",
            region: "eu-west-1",
            plan: createPlan()
          },
          minute
        )
        assert.match(id, /^explained_[A-Za-z0-9_-]{32}$/)
        const record = yield* readToken(id, "explained")
        assert.strictEqual(record.id, id)
        assert.strictEqual(record.chainId, "w1")
        assert.strictEqual(record.region, "eu-west-1")
        assert.strictEqual(record.expiresAt - record.issuedAt, minute)
        assert.strictEqual(record.plan.operation, "create")
      }).pipe(Effect.provide(store()))
  )

  it.effect("ids do not repeat", () =>
    Effect.gen(function* () {
      const ids = yield* Effect.all(
        Array.from({ length: 500 }, () => issueToken("environment", { chainId: "s", region: "us-east-1" }, minute))
      )
      assert.strictEqual(new Set(ids).size, 500)
    }).pipe(Effect.provide(store(1000)))
  )

  it.effect("a forged or malformed token is TokenInvalid, and the message does not repeat it", () =>
    Effect.gen(function* () {
      yield* issueToken("explained", { chainId: "w", ...account, plan: deletePlan() }, minute)
      const forged = "explained_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".slice(0, 42)
      for (const input of [forged, "explained_short", "", 42, null, undefined, { id: forged }, "x".repeat(10_000)]) {
        const error = yield* Effect.flip(
          Effect.flatMap(decodeTokenId("explained", input), (id) => readToken(id, "explained"))
        )
        assert.strictEqual(error._tag, "TokenInvalid")
        assert.strictEqual(error._tag === "TokenInvalid" ? error.kind : undefined, "explained")
        assert.include(error.message, "explain")
        if (typeof input === "string" && input !== "") assertNoLeak(error, input)
      }
    }).pipe(Effect.provide(store()))
  )

  it.effect("a token of the wrong kind is TokenInvalid naming the tool that issues the right one", () =>
    Effect.gen(function* () {
      const { credentials } = yield* chain("w")
      const error = yield* Effect.flip(decodeTokenId("explained", credentials))
      assert.strictEqual(error._tag, "TokenInvalid")
      assert.include(error.message, "explain")
      // The edge names the tools (mcp-server's Wording test); core names the kinds.
      assert.strictEqual(error.reason, "wrong_kind")
      assert.strictEqual(error.given, "credentials")
      assertNoLeak(error, credentials)
    }).pipe(Effect.provide(store()))
  )

  it.effect("a spent token is TokenSpent on every later use, even after it would have expired", () =>
    Effect.gen(function* () {
      const { explained } = yield* chain("w")
      const spent = yield* spendToken(explained, "explained")
      assert.strictEqual(spent.chainId, "w")
      for (const use of [spendToken, readToken]) {
        const error = yield* Effect.flip(use(explained, "explained"))
        assert.strictEqual(error._tag, "TokenSpent")
        assert.include(error.message, "planning step")
        assert.strictEqual(error._tag === "TokenSpent" ? error.kind : undefined, "explained")
        assertNoLeak(error, explained)
      }
      yield* TestClock.adjust("2 hours")
      const later = yield* Effect.flip(spendToken(explained, "explained"))
      assert.strictEqual(later._tag, "TokenSpent")
    }).pipe(Effect.provide(store()))
  )

  it.effect("a spent token's tombstone keeps no plan or scan report (memory stays bounded by ids)", () =>
    Effect.gen(function* () {
      const plan = deletePlan()
      const id = yield* issueToken("explained", { chainId: "w", parent: "p", ...account, plan }, 15 * minute)
      const spent = yield* spendToken(id, "explained")
      assert.strictEqual(spent.plan, plan)
      const tombstone = Option.getOrThrow(yield* (yield* ApprovalStore).get(id))
      assert.strictEqual(tombstone.kind, "spent")
      assert.isFalse("plan" in tombstone)
      assert.isFalse("scan" in tombstone)
      assert.strictEqual(tombstone.kind === "spent" ? tombstone.of : undefined, "explained")
      assert.strictEqual(tombstone.kind === "spent" ? tombstone.parent : undefined, "p")
    }).pipe(Effect.provide(store()))
  )

  it.effect("a token expires by the Clock", () =>
    Effect.gen(function* () {
      const id = yield* issueToken(
        "credentials",
        { chainId: "session", parent: "environment_x", ...account },
        10 * minute
      )
      yield* TestClock.adjust("9 minutes")
      yield* readToken(id, "credentials")
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(readToken(id, "credentials"))
      assert.strictEqual(error._tag, "TokenExpired")
      assert.include(error.message, "session step")
      assert.strictEqual(error._tag === "TokenExpired" ? error.kind : undefined, "credentials")
      assertNoLeak(error, id)
      const spend = yield* Effect.flip(spendToken(id, "credentials"))
      assert.strictEqual(spend._tag, "TokenExpired")
    }).pipe(Effect.provide(store()))
  )

  it.effect("a chain spliced from two workflows is refused", () =>
    Effect.gen(function* () {
      const a = yield* chain("workflow-a")
      const b = yield* chain("workflow-b")
      const explainedA = yield* readToken(a.explained, "explained")
      yield* assertChain(explainedA, a.generated, "generated_code")
      const error = yield* Effect.flip(assertChain(explainedA, b.generated, "generated_code"))
      assert.strictEqual(error._tag, "TokenChainBroken")
      assert.include(error.message, "generated_code token")
      assert.strictEqual(error.parent, "generated_code")
      assertNoLeak(error, a.generated, b.generated, a.explained)
      const root = yield* readToken(a.credentials, "credentials")
      assert.strictEqual((yield* Effect.flip(assertChain(root, a.credentials, "credentials")))._tag, "TokenChainBroken")
    }).pipe(Effect.provide(store()))
  )

  it.effect("two concurrent spends of one token: exactly one wins, the other is TokenSpent", () =>
    Effect.gen(function* () {
      for (let round = 0; round < 50; round++) {
        const id = yield* issueToken("explained", { chainId: `w${round}`, ...account, plan: deletePlan() }, minute)
        const results = yield* Effect.all(
          Array.from({ length: round % 2 === 0 ? 2 : 8 }, () => Effect.result(spendToken(id, "explained"))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Result.isSuccess).length, 1)
        for (const result of results) {
          if (Result.isFailure(result)) assert.strictEqual(result.failure._tag, "TokenSpent")
        }
      }
    }).pipe(Effect.provide(interleavingStore))
  )
})

describe("ApprovalStoreMemory", () => {
  const record = (id: string, issuedAt: number, ttl: number) =>
    new EnvironmentToken({ id, chainId: "s", region: "us-east-1", issuedAt, expiresAt: issuedAt + ttl })

  it.effect("concurrent takes of one id: exactly one gets the record", () =>
    Effect.gen(function* () {
      const approvals = yield* ApprovalStore
      for (let round = 0; round < 20; round++) {
        yield* approvals.put("t", record("t", 0, minute))
        const taken = yield* Effect.all(
          Array.from({ length: 6 }, () => approvals.take("t")),
          {
            concurrency: "unbounded"
          }
        )
        assert.strictEqual(taken.filter(Option.isSome).length, 1)
      }
    }).pipe(Effect.provide(interleavingStore))
  )

  it.effect(
    "at a kind's budget the store evicts expired records of that kind first, then the least recently used",
    () =>
      Effect.gen(function* () {
        // Capacity 30: environment tokens get a budget of 3.
        const approvals = yield* ApprovalStore
        yield* approvals.put("a", record("a", 0, 10 * minute))
        yield* approvals.put("b", record("b", 1, minute))
        yield* approvals.put("c", record("c", 2, 10 * minute))
        yield* TestClock.adjust("2 minutes")
        yield* approvals.put("d", record("d", 2 * minute, 10 * minute))
        assert.strictEqual(yield* approvals.size, 3)
        assert.isTrue(Option.isNone(yield* approvals.get("b")))
        // "a" was just read: "c" is now the least recently used.
        assert.isTrue(Option.isSome(yield* approvals.get("a")))
        yield* approvals.put("e", record("e", 2 * minute, 10 * minute))
        assert.strictEqual(yield* approvals.size, 3)
        assert.isTrue(Option.isNone(yield* approvals.get("c")))
        assert.isTrue(Option.isSome(yield* approvals.get("a")))
      }).pipe(Effect.provide(store(30)))
  )

  it.effect("issuing past the bound keeps the store at its bound; the evicted token is refused", () =>
    Effect.gen(function* () {
      const first = yield* issueToken("environment", { chainId: "s", region: "us-east-1" }, minute)
      yield* TestClock.adjust(1)
      for (let i = 0; i < 500; i++) yield* issueToken("environment", { chainId: "s", region: "us-east-1" }, minute)
      assert.strictEqual(yield* (yield* ApprovalStore).size, ApprovalStoreMemory.budgetsFor(100).environment)
      const error = yield* Effect.flip(readToken(first, "environment"))
      assert.strictEqual(error._tag, "TokenInvalid")
      assertNoLeak(error, first)
    }).pipe(Effect.provide(store(100)))
  )

  it.effect("a flood of one kind of token never evicts another kind (a workflow's tokens survive 10,100 mints)", () =>
    Effect.gen(function* () {
      const credentials = yield* issueToken(
        "credentials",
        { chainId: "s", parent: "environment_x", accountId: "123456789012", region: "us-east-1" },
        10 * minute
      )
      for (let i = 0; i < 10_100; i++)
        yield* issueToken("environment", { chainId: "s", region: "us-east-1" }, 10 * minute)
      const size = yield* (yield* ApprovalStore).size
      assert.isAtMost(size, 1000)
      assert.strictEqual((yield* readToken(credentials, "credentials")).id, credentials)
    }).pipe(Effect.provide(store(1000)))
  )
})
