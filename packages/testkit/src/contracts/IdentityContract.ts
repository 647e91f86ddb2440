import { Identity, type Region } from "@ccapi/core"
import { assert, describe } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { testFor, type Timing } from "./support.js"

export interface IdentityHarness extends Timing {
  readonly layer: () => Layer.Layer<Identity>
  /** The account the implementation is expected to report, when the harness knows it. */
  readonly accountId?: string
  /** A region to ask `whoAmI` about, other than the default one. */
  readonly otherRegion?: Region
}

/** What every `Identity` must answer: an account, an ARN, a credential source, the region asked for. */
export const identityContract = (name: string, harness: IdentityHarness): void => {
  const test = testFor(harness)
  const run = <A, E>(effect: Effect.Effect<A, E, Identity>) => Effect.provide(effect, harness.layer())

  describe(`Identity contract: ${name}`, () => {
    test("whoAmI reports a twelve-digit account, its ARN and where the credentials came from", () =>
      run(
        Effect.gen(function* () {
          const identity = yield* Identity
          const environment = yield* identity.environment
          const me = yield* identity.whoAmI()
          assert.match(me.accountId, /^\d{12}$/)
          if (harness.accountId !== undefined) assert.strictEqual(me.accountId, harness.accountId)
          assert.match(me.arn, /^arn:aws[a-z-]*:(iam|sts)::\d{12}:/)
          assert.include(me.arn, me.accountId)
          assert.isNotEmpty(me.userId)
          assert.isString(me.credentialSource)
          assert.strictEqual(me.region, environment.region)
        })
      ))

    test("the environment names the variables set, never their values", () =>
      run(
        Effect.gen(function* () {
          const identity = yield* Identity
          const environment = yield* identity.environment
          assert.include(["argument", "environment", "profile", "default"], environment.regionSource)
          for (const variable of environment.variablesSet) assert.match(variable, /^[A-Z][A-Z0-9_]*$/)
        })
      ))

    if (harness.otherRegion !== undefined) {
      const otherRegion = harness.otherRegion
      test("whoAmI in another region reports that region", () =>
        run(
          Effect.gen(function* () {
            const identity = yield* Identity
            const me = yield* identity.whoAmI(otherRegion)
            assert.strictEqual(me.region, otherRegion)
          })
        ))
    }
  })
}
