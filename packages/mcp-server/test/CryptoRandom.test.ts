import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Random } from "effect"
import { ApprovalStoreMemory, issueToken, TokenIds } from "@ccapi/core"
import * as CryptoRandom from "../src/CryptoRandom.js"

describe("CryptoRandom", () => {
  it.effect("is the Random that effects see once the layer is provided", () =>
    Effect.gen(function* () {
      const random = yield* Random.Random
      assert.strictEqual(random, CryptoRandom.cryptoRandom)
    }).pipe(Effect.provide(CryptoRandom.layer))
  )

  it.effect("nextIntBetween stays in range and covers it", () =>
    Effect.gen(function* () {
      const seen = new Set<number>()
      for (let i = 0; i < 4000; i++) {
        const n = yield* Random.nextIntBetween(0, 256, { halfOpen: true })
        assert.isTrue(Number.isInteger(n) && n >= 0 && n < 256)
        seen.add(n)
      }
      assert.strictEqual(seen.size, 256)
    }).pipe(Effect.provide(CryptoRandom.layer))
  )

  it.effect("next is in [0, 1) and shuffle is a permutation", () =>
    Effect.gen(function* () {
      for (let i = 0; i < 1000; i++) {
        const x = yield* Random.next
        assert.isTrue(x >= 0 && x < 1)
      }
      const shuffled = yield* Random.shuffle([1, 2, 3, 4, 5, 6, 7, 8])
      assert.deepStrictEqual([...shuffled].sort(), [1, 2, 3, 4, 5, 6, 7, 8])
    }).pipe(Effect.provide(CryptoRandom.layer))
  )

  it.effect("nextInt is a safe integer of either sign", () =>
    Effect.gen(function* () {
      const drawn = new Set<number>()
      for (let i = 0; i < 1000; i++) {
        const n = yield* Random.nextInt
        assert.isTrue(Number.isSafeInteger(n) && !Object.is(n, -0))
        drawn.add(n)
      }
      assert.strictEqual(drawn.size, 1000)
      assert.isTrue([...drawn].some((n) => n < 0) && [...drawn].some((n) => n > 0))
      assert.isTrue([...drawn].some((n) => Math.abs(n) > 2 ** 52))
    }).pipe(Effect.provide(CryptoRandom.layer))
  )

  it.effect("is core's TokenIds: the bytes asked for, never the same twice", () =>
    Effect.gen(function* () {
      const ids = yield* TokenIds
      assert.strictEqual(ids, CryptoRandom.tokenIds)
      const drawn = new Set<string>()
      for (let i = 0; i < 1000; i++) {
        const bytes = yield* ids.randomBytes(24)
        assert.strictEqual(bytes.length, 24)
        drawn.add(Buffer.from(bytes).toString("hex"))
      }
      assert.strictEqual(drawn.size, 1000)
      const ones = [...drawn]
        .join("")
        .split("")
        .filter((c) => "89abcdef".includes(c)).length
      assert.approximately(ones / (1000 * 48), 0.5, 0.02)
    }).pipe(Effect.provide(CryptoRandom.layer))
  )

  it.effect("workflow tokens minted with it keep their format: <kind>_<32 base64url characters>", () =>
    Effect.gen(function* () {
      const id = yield* issueToken("environment", { chainId: "session", region: "us-east-1" }, 60_000)
      assert.match(id, /^environment_[A-Za-z0-9_-]{32}$/)
    }).pipe(Effect.provide(Layer.merge(ApprovalStoreMemory.layerMemory({ capacity: 10 }), CryptoRandom.layerTokenIds)))
  )
})
