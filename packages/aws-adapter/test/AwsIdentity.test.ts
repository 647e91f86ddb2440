import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Identity, region } from "@ccapi/core"
import * as Sts from "@aws-sdk/client-sts"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterEach, beforeEach, vi } from "vitest"
import { AwsConfig, AwsIdentity } from "../src/index.js"
import { Mocks, regionOf, testLayer } from "./support.js"

/** Credentials as a provider of the SDK's chain returns them: `$source` holds the feature flags it set. */
const withFlags = (...flags: ReadonlyArray<string>) => ({
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "not-a-real-secret",
  $source: Object.fromEntries(flags.map((f) => [f, "x"]))
})

const answerIdentity = Effect.flatMap(Mocks, ({ sts }) =>
  Effect.sync(() =>
    sts.on(Sts.GetCallerIdentityCommand).resolves({
      Account: "123456789012",
      Arn: "arn:aws:sts::123456789012:assumed-role/Admin/me",
      UserId: "AROAEXAMPLE:me"
    })
  )
)

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ccapi-aws-config-"))
  for (const name of Object.keys(process.env)) if (name.startsWith("AWS_")) vi.stubEnv(name, undefined)
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true")
  vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"))
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "credentials"))
})
afterEach(() => {
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
})

describe("credential source", () => {
  it.each([
    [["CREDENTIALS_ENV_VARS"], "environment"],
    [["CREDENTIALS_PROFILE"], "profile"],
    [["CREDENTIALS_PROFILE_NAMED_PROVIDER"], "profile"],
    [["CREDENTIALS_PROFILE_SSO", "CREDENTIALS_SSO"], "sso"],
    [["CREDENTIALS_PROFILE_SSO_LEGACY", "CREDENTIALS_SSO_LEGACY"], "sso"],
    [["CREDENTIALS_STS_ASSUME_ROLE", "CREDENTIALS_PROFILE_SOURCE_PROFILE"], "assume-role"],
    [["CREDENTIALS_STS_ASSUME_ROLE", "CREDENTIALS_PROFILE_SOURCE_PROFILE", "CREDENTIALS_SSO"], "assume-role"],
    [["CREDENTIALS_PROFILE_PROCESS", "CREDENTIALS_PROCESS"], "process"],
    [["CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN", "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID"], "web-identity"],
    [["CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN", "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID"], "web-identity"],
    [["CREDENTIALS_HTTP"], "container"],
    [["CREDENTIALS_IMDS"], "instance"],
    [["CREDENTIALS_PROFILE_LOGIN"], "profile"],
    [["CREDENTIALS_CODE"], "static"]
  ] as const)("the SDK's flags %j → %s", (flags, source) => {
    assert.strictEqual(AwsIdentity.credentialSourceOf(withFlags(...flags), "chain"), source)
  })

  it("the chain's unflagged last links: container when a container URI is set, else instance metadata", () => {
    const bare = { accessKeyId: "A", secretAccessKey: "B" }
    assert.strictEqual(
      AwsIdentity.credentialSourceOf(bare, "chain", { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/creds" }),
      "container"
    )
    assert.strictEqual(AwsIdentity.credentialSourceOf(bare, "chain", {}), "instance")
    assert.strictEqual(AwsIdentity.credentialSourceOf(bare, "static", {}), "static")
    assert.strictEqual(AwsIdentity.credentialSourceOf(bare, "custom", {}), "unknown")
  })

  it.effect("whoAmI reports the source of the credentials the SDK resolved, the profile and the region", () =>
    Effect.gen(function* () {
      yield* answerIdentity
      const identity = yield* Identity
      const me = yield* identity.whoAmI(region("eu-central-1"))
      assert.strictEqual(me.accountId, "123456789012")
      assert.strictEqual(me.userId, "AROAEXAMPLE:me")
      assert.strictEqual(me.credentialSource, "sso")
      assert.strictEqual(me.profile, "dev")
      assert.strictEqual(me.region, "eu-central-1")
      const { sts } = yield* Mocks
      assert.strictEqual(
        yield* Effect.promise(() => regionOf(sts.commandCalls(Sts.GetCallerIdentityCommand)[0]!)),
        "eu-central-1"
      )
    }).pipe(
      Effect.provide(
        testLayer({
          profile: "dev",
          credentials: () => Promise.resolve(withFlags("CREDENTIALS_PROFILE_SSO", "CREDENTIALS_SSO"))
        })
      )
    )
  )

  it.effect(
    "a profile source without AWS_PROFILE is the default profile; whoAmI without a region uses the default",
    () =>
      Effect.gen(function* () {
        yield* answerIdentity
        const me = yield* Effect.flatMap(Identity, (identity) => identity.whoAmI())
        assert.strictEqual(me.credentialSource, "profile")
        assert.strictEqual(me.profile, "default")
        assert.strictEqual(me.region, "ap-southeast-2")
      }).pipe(
        Effect.provide(
          testLayer({ region: "ap-southeast-2", credentials: () => Promise.resolve(withFlags("CREDENTIALS_PROFILE")) })
        )
      )
  )

  it.effect("an expired SSO session is CredentialsExpired telling to run aws sso login for the profile", () =>
    Effect.gen(function* () {
      const failure = yield* Effect.flip(Effect.flatMap(Identity, (identity) => identity.whoAmI()))
      assert.strictEqual(failure._tag, "CredentialsExpired")
      assert.include(failure.message, "aws sso login --profile dev")
    }).pipe(
      Effect.provide(
        testLayer({
          profile: "dev",
          credentials: () =>
            Promise.reject(
              Object.assign(
                new Error(
                  "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile."
                ),
                { name: "CredentialsProviderError" }
              )
            )
        })
      )
    )
  )

  it.effect("the SDK's default chain with nothing configured is CredentialsMissing naming aws configure", () =>
    Effect.gen(function* () {
      const failure = yield* Effect.flip(Effect.flatMap(Identity, (identity) => identity.whoAmI()))
      assert.strictEqual(failure._tag, "CredentialsMissing")
      assert.include(failure.message, "aws configure")
    }).pipe(Effect.provide(testLayer({ credentials: undefined })))
  )

  it.effect("the real chain reports environment credentials as environment", () =>
    Effect.gen(function* () {
      vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
      yield* answerIdentity
      const me = yield* Effect.flatMap(Identity, (identity) => identity.whoAmI())
      assert.strictEqual(me.credentialSource, "environment")
      assert.isUndefined(me.profile)
    }).pipe(Effect.provide(testLayer({ credentials: undefined })))
  )

  it.effect("the real chain reports a shared-credentials profile as profile", () =>
    Effect.gen(function* () {
      writeFileSync(join(dir, "credentials"), "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = x\n")
      vi.stubEnv("AWS_PROFILE", "work")
      const me = yield* Effect.gen(function* () {
        yield* answerIdentity
        return yield* Effect.flatMap(Identity, (identity) => identity.whoAmI())
      }).pipe(Effect.provide(testLayer({ credentials: undefined })))
      assert.strictEqual(me.credentialSource, "profile")
      assert.strictEqual(me.profile, "work")
    })
  )
})

describe("environment", () => {
  it.effect("names the AWS variables that are set, never their values", () =>
    Effect.gen(function* () {
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "super-secret-value")
      vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDVISIBLE")
      vi.stubEnv("AWS_EMPTY", "")
      const env = yield* Effect.flatMap(Identity, (identity) => identity.environment)
      assert.includeMembers([...env.variablesSet], ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CONFIG_FILE"])
      assert.notInclude([...env.variablesSet], "AWS_EMPTY")
      assert.notInclude(JSON.stringify(env), "super-secret-value")
      assert.notInclude(JSON.stringify(env), "AKIDVISIBLE")
      assert.strictEqual(env.region, "us-east-1")
      assert.strictEqual(env.regionSource, "argument")
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("region: argument, then AWS_REGION, then the profile's region, then us-east-1", () =>
    Effect.gen(function* () {
      writeFileSync(join(dir, "config"), "[default]\nregion = eu-west-3\n[profile dev]\nregion = ap-south-1\n")
      const resolve = (explicit: string | undefined, profile: string | undefined) =>
        Effect.map(AwsConfig.make({ region: explicit, profile }), (c) => `${c.region} ${c.regionSource}`)
      vi.stubEnv("AWS_REGION", "ca-central-1")
      assert.strictEqual(yield* resolve("sa-east-1", "dev"), "sa-east-1 argument")
      assert.strictEqual(yield* resolve(undefined, "dev"), "ca-central-1 environment")
      vi.stubEnv("AWS_REGION", undefined)
      assert.strictEqual(yield* resolve(undefined, "dev"), "ap-south-1 profile")
      assert.strictEqual(yield* resolve(undefined, undefined), "eu-west-3 profile")
      vi.stubEnv("AWS_PROFILE", "dev")
      assert.strictEqual(yield* resolve(undefined, undefined), "ap-south-1 profile")
      assert.strictEqual(yield* resolve(undefined, "nothere"), "us-east-1 default")
      vi.stubEnv("AWS_REGION", "not a region")
      assert.strictEqual(yield* resolve(undefined, "nothere"), "us-east-1 default")
    })
  )

  it.effect("reports the endpoint from AWS_ENDPOINT_URL when no explicit endpoint is set", () =>
    Effect.gen(function* () {
      vi.stubEnv("AWS_ENDPOINT_URL", "http://localhost:4566")
      const env = yield* Effect.flatMap(Identity, (identity) => identity.environment)
      assert.strictEqual(env.endpoint, "http://localhost:4566")
      vi.stubEnv("AWS_ENDPOINT_URL_CLOUDCONTROL", "http://localhost:9999")
      const specific = yield* Effect.flatMap(Identity, (identity) => identity.environment)
      assert.strictEqual(specific.endpoint, "http://localhost:9999")
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("layerConfig", () => {
  /**
   * The settings read from the environment as it is now: Effect's default provider snapshots `process.env` on first
   * use, so each read gets a provider over the environment the test has just stubbed.
   */
  const readConfig = (options?: AwsConfig.AwsAdapterOptions) =>
    Effect.provide(
      AwsConfig.AwsConfig,
      AwsConfig.layerConfig(options).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv())))
    )

  it.effect("reads CCAPI_SCHEMA_CACHE_DIR and CCAPI_AWS_MAX_ATTEMPTS where the options leave them open", () =>
    Effect.gen(function* () {
      vi.stubEnv("CCAPI_SCHEMA_CACHE_DIR", "disabled")
      vi.stubEnv("CCAPI_AWS_MAX_ATTEMPTS", "5")
      const fromEnv = yield* readConfig()
      assert.strictEqual(fromEnv.schemaCache.directory, false)
      assert.strictEqual(fromEnv.maxAttempts, 5)
      vi.stubEnv("CCAPI_SCHEMA_CACHE_DIR", "/tmp/elsewhere")
      const explicit = yield* readConfig({ maxAttempts: 1, schemaCache: { directory: false } })
      assert.strictEqual(explicit.schemaCache.directory, false)
      assert.strictEqual(explicit.maxAttempts, 1)
      const dir = yield* readConfig()
      assert.strictEqual(dir.schemaCache.directory, "/tmp/elsewhere")
    })
  )
})
