import {
  ApprovalStore,
  CreatePlan,
  EnvironmentToken,
  EnvironmentTokenId,
  ExplainedToken,
  ExplainedTokenId,
  Finding,
  issueToken,
  readToken,
  region,
  ScanReport,
  SecurityScanToken,
  spendToken,
  SpentToken,
  StoredToken,
  TokenIds,
  typeName
} from "@ccapi/core"
import { assert, describe } from "@effect/vitest"
import { Clock, Effect, Layer, Option, Result, Schema } from "effect"
import { atOnce, testFor, type Timing } from "./support.js"

export interface ApprovalStoreHarness extends Timing {
  /** A fresh, empty store that keeps at most `capacity` records. */
  readonly layer: (options: { readonly capacity: number }) => Layer.Layer<ApprovalStore>
  /** A store whose backend cannot answer (down, unreachable), when the implementation can be made so. */
  readonly unavailable?: () => Layer.Layer<ApprovalStore>
}

const minute = 60_000

/** Token ids for the workflow steps of the suite: distinct and deterministic (the product uses the CSPRNG). */
const countingTokenIds = Layer.sync(TokenIds, () => {
  let counter = 0
  return TokenIds.of({
    randomBytes: (size) =>
      Effect.sync(() => {
        counter += 1
        const bytes = new Uint8Array(size)
        for (let i = 0, n = counter; i < 6 && i < size; i++, n = Math.floor(n / 256)) bytes[size - 1 - i] = n % 256
        return bytes
      })
  })
})

const plan = new CreatePlan({
  accountId: "111122223333",
  region: region("us-east-1"),
  typeName: typeName("AWS::S3::Bucket"),
  desiredState: { BucketName: "contract-bucket", Tags: [{ Key: "team", Value: "data" }], Nested: { List: [1, null] } },
  diff: [{ path: "/BucketName", kind: "added", after: "contract-bucket", flags: ["createOnly"] }],
  tags: [{ key: "team", value: "data", source: "user" }],
  template: { Resources: { S3Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: "contract-bucket" } } } },
  guardrails: [],
  writeOnlyPaths: [],
  createdAt: 1_750_000_000_000,
  hash: "0".repeat(64)
})

const report = new ScanReport({
  scanner: "contract",
  passed: 1,
  failed: 1,
  skipped: 0,
  findings: [
    new Finding({ checkId: "CKV_AWS_18", title: "logging", resource: "S3Bucket", severity: null, guideline: null })
  ],
  passedCheckIds: ["CKV_AWS_21"]
})

const explainedRecord = (id: string, issuedAt: number, expiresAt: number) =>
  new ExplainedToken({
    id,
    chainId: "w1",
    parent: "generated_code_contract",
    origin: "credentials_contract",
    accountId: "111122223333",
    region: "us-east-1",
    plan,
    issuedAt,
    expiresAt
  })

/** One record of every shape a store keeps, issued at `now`. */
const recordsAt = (now: number): ReadonlyArray<StoredToken> => [
  new EnvironmentToken({
    id: "environment_contract",
    chainId: "session",
    region: "us-east-1",
    issuedAt: now,
    expiresAt: now + minute
  }),
  explainedRecord("explained_contract", now, now + 15 * minute),
  new SecurityScanToken({
    id: "security_scan_contract",
    chainId: "w1",
    parent: "explained_contract",
    accountId: "111122223333",
    region: "us-east-1",
    scan: report,
    issuedAt: now,
    expiresAt: now + 15 * minute
  }),
  new SpentToken({
    id: "generated_code_contract",
    of: "generated_code",
    chainId: "w1",
    parent: "credentials_contract",
    issuedAt: now,
    expiresAt: now + 24 * 60 * minute
  })
]

const environmentRecord = (id: string, issuedAt: number, expiresAt: number) =>
  new EnvironmentToken({ id, chainId: "session", region: "us-east-1", issuedAt, expiresAt })

/** The tombstone of an explained token, as `spendToken` writes it. */
const tombstone = (id: string, now: number) =>
  new SpentToken({ id, of: "explained", chainId: "w1", issuedAt: now, expiresAt: now + 24 * 60 * minute })

const encodeStored = Schema.encodeSync(StoredToken)

/**
 * What every `ApprovalStore` must do for the workflow's guarantees to hold: keep records whole, take and spend each
 * one at most once under concurrency (spend: the live record and its tombstone swapped in one step), stay within its
 * bound fairly (a flood of one kind evicts no other kind), keep an expired record readable until room is needed (so the
 * workflow can say "expired" rather than "forged"), and report an outage as `StoreUnavailable`.
 */
export const approvalStoreContract = (name: string, harness: ApprovalStoreHarness): void => {
  const test = testFor(harness)
  const run = <A, E>(effect: Effect.Effect<A, E, ApprovalStore | TokenIds>, capacity = 100) =>
    Effect.provide(effect, Layer.merge(harness.layer({ capacity }), countingTokenIds))
  /** `body` with the store and the time, over a fresh store of `capacity` (or the given layer). */
  const withStore = <A, E>(
    body: (store: ApprovalStore["Service"], now: number) => Effect.Effect<A, E, ApprovalStore | TokenIds>,
    capacity: number | Layer.Layer<ApprovalStore> = 100
  ) => {
    const effect = Effect.gen(function* () {
      return yield* body(yield* ApprovalStore, yield* Clock.currentTimeMillis)
    })
    return typeof capacity === "number"
      ? run(effect, capacity)
      : Effect.provide(effect, Layer.merge(capacity, countingTokenIds))
  }

  describe(`ApprovalStore contract: ${name}`, () => {
    test("a record put is read back whole, for every kind of token and the tombstone of a spent one", () =>
      run(
        Effect.gen(function* () {
          const store = yield* ApprovalStore
          const records = recordsAt(yield* Clock.currentTimeMillis)
          for (const record of records) yield* store.put(record.id, record)
          for (const record of records) {
            const found = yield* store.get(record.id)
            assert.isTrue(Option.isSome(found), record.id)
            const value = Option.getOrThrow(found)
            assert.isTrue(Schema.is(StoredToken)(value))
            assert.strictEqual(value.kind, record.kind)
            assert.deepStrictEqual(encodeStored(value), encodeStored(record))
          }
          const scan = Option.getOrThrow(yield* store.get("security_scan_contract"))
          assert.deepStrictEqual(scan.kind === "security_scan" ? scan.scan.failedCheckIds : [], ["CKV_AWS_18"])
          assert.strictEqual(yield* store.size, records.length)
        })
      ))

    test("an id never put is nothing, to get and to take", () =>
      run(
        Effect.gen(function* () {
          const store = yield* ApprovalStore
          assert.isTrue(Option.isNone(yield* store.get("explained_never")))
          assert.isTrue(Option.isNone(yield* store.take("explained_never")))
          assert.strictEqual(yield* store.size, 0)
        })
      ))

    test("a put under an id replaces the record there", () =>
      withStore((store, now) =>
        Effect.gen(function* () {
          yield* store.put("environment_a", environmentRecord("environment_a", now, now + minute))
          yield* store.put("environment_a", environmentRecord("environment_a", now, now + 2 * minute))
          const found = Option.getOrThrow(yield* store.get("environment_a"))
          assert.strictEqual(found.expiresAt, now + 2 * minute)
          assert.strictEqual(yield* store.size, 1)
        })
      ))

    test("take removes and returns a record once; later gets and takes see nothing", () =>
      withStore((store, now) =>
        Effect.gen(function* () {
          yield* store.put("environment_t", environmentRecord("environment_t", now, now + minute))
          const taken = yield* store.take("environment_t")
          assert.strictEqual(Option.getOrThrow(taken).id, "environment_t")
          assert.isTrue(Option.isNone(yield* store.take("environment_t")))
          assert.isTrue(Option.isNone(yield* store.get("environment_t")))
        })
      ))

    test("of concurrent takes of one id, exactly one gets the record", () =>
      withStore((store, now) =>
        Effect.gen(function* () {
          for (let round = 0; round < 20; round++) {
            const id = `environment_round${round}`
            yield* store.put(id, environmentRecord(id, now, now + minute))
            const taken = yield* atOnce(8, store.take(id))
            assert.strictEqual(taken.filter(Option.isSome).length, 1)
          }
        })
      ))

    test("concurrent puts of distinct ids are all kept while below the bound", () =>
      withStore(
        (store, now) =>
          Effect.gen(function* () {
            const ids = Array.from({ length: 40 }, (_, i) => `environment_p${i}`)
            yield* Effect.all(
              ids.map((id) => Effect.andThen(Effect.yieldNow, store.put(id, environmentRecord(id, now, now + minute)))),
              { concurrency: "unbounded" }
            )
            for (const id of ids) assert.isTrue(Option.isSome(yield* store.get(id)), id)
            assert.strictEqual(yield* store.size, ids.length)
          }),
        // Far below the bound, and below any fair share of one kind.
        1000
      ))

    test("the store stays within its bound, and the record just put is always kept", () =>
      withStore(
        (store, now) =>
          Effect.gen(function* () {
            for (let i = 0; i < 12; i++) {
              const id = `environment_b${i}`
              yield* store.put(id, environmentRecord(id, now + i, now + i + 10 * minute))
              assert.isAtMost(yield* store.size, 5)
              assert.isTrue(Option.isSome(yield* store.get(id)), id)
            }
          }),
        5
      ))

    test("at its bound the store lets expired records go before live ones", () =>
      withStore(
        (store, now) =>
          Effect.gen(function* () {
            yield* store.put("environment_old_live", environmentRecord("environment_old_live", now - 3, now + minute))
            yield* store.put("environment_expired1", environmentRecord("environment_expired1", now - 2, now - 1))
            yield* store.put("environment_expired2", environmentRecord("environment_expired2", now - 1, now - 1))
            yield* store.put("environment_new", environmentRecord("environment_new", now, now + minute))
            assert.isAtMost(yield* store.size, 3)
            assert.isTrue(Option.isSome(yield* store.get("environment_old_live")))
            assert.isTrue(Option.isSome(yield* store.get("environment_new")))
          }),
        // A bound at which one kind's share is about three records.
        30
      ))

    test("a flood of one kind of token (10,100 puts) evicts no record of another kind, and the bound holds", () =>
      withStore(
        (store, now) =>
          Effect.gen(function* () {
            const explainedId = "explained_inflight"
            yield* store.put(explainedId, explainedRecord(explainedId, now, now + 10 * minute))
            const spentId = "explained_spent"
            yield* store.put(spentId, tombstone(spentId, now))
            for (let i = 0; i < 10_100; i++) {
              const id = `environment_flood${i}`
              yield* store.put(id, environmentRecord(id, now + i, now + i + 10 * minute))
            }
            assert.isAtMost(yield* store.size, 1000)
            assert.isTrue(Option.isSome(yield* store.get(explainedId)), "the in-flight explained token survives")
            assert.isTrue(Option.isSome(yield* store.get(spentId)), "the tombstone survives")
          }),
        1000
      ))

    test("spend replaces a live token of its kind with the tombstone atomically and returns the live record", () =>
      withStore((store, now) =>
        Effect.gen(function* () {
          const id = "explained_tospend"
          yield* store.put(id, explainedRecord(id, now, now + minute))
          const spent = yield* store.spend(tombstone(id, now))
          assert.isTrue(Option.isSome(spent))
          assert.strictEqual(Option.getOrThrow(spent).kind, "explained")
          const after = yield* store.get(id)
          assert.strictEqual(Option.getOrThrow(after).kind, "spent")
          // Spending again, or a tombstone of another kind, changes nothing.
          assert.isTrue(Option.isNone(yield* store.spend(tombstone(id, now))))
          assert.isTrue(Option.isNone(yield* store.spend(tombstone("explained_never", now))))
          const other = "environment_notexplained"
          yield* store.put(other, environmentRecord(other, now, now + minute))
          assert.isTrue(Option.isNone(yield* store.spend(tombstone(other, now))))
          assert.strictEqual(Option.getOrThrow(yield* store.get(other)).kind, "environment")
        })
      ))

    test("of concurrent spends of one id exactly one gets the live record; the tombstone stays", () =>
      withStore((store, now) =>
        Effect.gen(function* () {
          for (let round = 0; round < 5; round++) {
            const id = `explained_race${round}`
            yield* store.put(id, explainedRecord(id, now, now + minute))
            const spent = yield* atOnce(6, store.spend(tombstone(id, now)))
            assert.strictEqual(spent.filter(Option.isSome).length, 1)
            assert.strictEqual(Option.getOrThrow(yield* store.get(id)).kind, "spent")
          }
        })
      ))

    test("a record past its expiry stays readable, so the workflow reports TokenExpired, not a forged token", () =>
      withStore((store, now) =>
        Effect.gen(function* () {
          const id = EnvironmentTokenId.make(`environment_${"E".repeat(32)}`)
          yield* store.put(id, environmentRecord(id, now - 20 * minute, now - 10 * minute))
          assert.isTrue(Option.isSome(yield* store.get(id)))
          const error = yield* Effect.flip(readToken(id, "environment"))
          assert.strictEqual(error._tag, "TokenExpired")
        })
      ))

    test("through the workflow: a token reads back, is spent once, and is TokenSpent on every later use", () =>
      run(
        Effect.gen(function* () {
          const id = yield* issueToken("environment", { chainId: "session", region: "us-east-1" }, minute)
          assert.strictEqual((yield* readToken(id, "environment")).id, id)
          const results = yield* atOnce(6, Effect.result(spendToken(id, "environment")))
          assert.strictEqual(results.filter(Result.isSuccess).length, 1)
          for (const result of results)
            if (Result.isFailure(result)) assert.strictEqual(result.failure._tag, "TokenSpent")
          const later = yield* Effect.flip(readToken(id, "environment"))
          assert.strictEqual(later._tag, "TokenSpent")
        })
      ))

    const unavailable = harness.unavailable
    if (unavailable !== undefined) {
      const runDown = <A, E>(effect: Effect.Effect<A, E, ApprovalStore | TokenIds>) =>
        Effect.provide(effect, Layer.merge(unavailable(), countingTokenIds))

      test("a store that cannot answer fails every operation with StoreUnavailable and a message", () =>
        withStore(
          (store, now) =>
            Effect.gen(function* () {
              const errors = [
                yield* Effect.flip(store.put("environment_x", environmentRecord("environment_x", now, now + minute))),
                yield* Effect.flip(store.get("environment_x")),
                yield* Effect.flip(store.take("environment_x")),
                yield* Effect.flip(store.spend(tombstone("explained_x", now))),
                yield* Effect.flip(store.size)
              ]
              for (const error of errors) {
                assert.strictEqual(error._tag, "StoreUnavailable")
                assert.isNotEmpty(error.message)
              }
            }),
          unavailable()
        ))

      test("the workflow reports the outage as StoreUnavailable, not as a token it does not know", () =>
        runDown(
          Effect.gen(function* () {
            const id = ExplainedTokenId.make(`explained_${"A".repeat(32)}`)
            const read = yield* Effect.flip(readToken(id, "explained"))
            assert.strictEqual(read._tag, "StoreUnavailable")
            assert.notInclude(read.message, id)
            const issued = yield* Effect.flip(issueToken("environment", { chainId: "s", region: "us-east-1" }, minute))
            assert.strictEqual(issued._tag, "StoreUnavailable")
            const spent = yield* Effect.flip(spendToken(id, "explained"))
            assert.strictEqual(spent._tag, "StoreUnavailable")
          })
        ))
    }
  })
}
