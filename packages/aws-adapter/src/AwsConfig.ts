import { type Region, Region as RegionSchema } from "@ccapi/core"
import { STSClient } from "@aws-sdk/client-sts"
import type { CallContext } from "./internal/errorMap.js"
import { Config, Context, type Duration, Effect, Layer, Option, Schema } from "effect"

/** Static credentials (the sandbox, tests, or an operator who passes keys explicitly). */
export interface StaticCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
  readonly expiration?: Date
}

/** Credentials the SDK can use, as a value or a provider function; `$source` carries the SDK's credential features. */
export type CredentialProvider = () => Promise<StaticCredentials & { readonly $source?: Record<string, unknown> }>

/** Where schemas are cached on disk; `false` keeps them in memory only. */
export interface SchemaCacheOptions {
  /** The cache directory; the default is `$XDG_CACHE_HOME/ccapi-mcp-server` or `~/.cache/ccapi-mcp-server`. */
  readonly directory?: string | false | undefined
  /** How long a cached schema is used before `DescribeType` is called again (7 days by default). */
  readonly ttl?: Duration.Input | undefined
}

/** Everything the AWS adapter can be told; each field is optional and falls back to the SDK's own defaults. */
export interface AwsAdapterOptions {
  /** The shared-config profile; `AWS_PROFILE` when omitted. */
  readonly profile?: string | undefined
  /** The default region; then `AWS_REGION`, the profile's region, `us-east-1`. */
  readonly region?: string | undefined
  /** One endpoint for every service (the sandbox); otherwise the SDK honours `AWS_ENDPOINT_URL(_<SERVICE>)`. */
  readonly endpoint?: string | undefined
  /** Explicit credentials; otherwise the SDK's default provider chain. */
  readonly credentials?: StaticCredentials | CredentialProvider | undefined
  /** The SDK's retry budget per call (its default is 3). */
  readonly maxAttempts?: number | undefined
  /** The calls go to the local sandbox: the credential source is reported as `sandbox`. */
  readonly sandbox?: boolean | undefined
  readonly schemaCache?: SchemaCacheOptions | undefined
}

/** How the default region was chosen. */
export type RegionSource = "argument" | "environment" | "profile" | "default"

/** The adapter's settings, resolved once when the layer is built. */
export class AwsConfig extends Context.Service<
  AwsConfig,
  {
    /** The profile in use (explicit, or `AWS_PROFILE`); undefined means the SDK's `default`. */
    readonly profile: string | undefined
    readonly region: Region
    readonly regionSource: RegionSource
    readonly endpoint: string | undefined
    readonly credentials: StaticCredentials | CredentialProvider | undefined
    readonly maxAttempts: number | undefined
    readonly sandbox: boolean
    readonly schemaCache: SchemaCacheOptions
  }
>()("@ccapi/aws-adapter/AwsConfig") {}

/** The region when nothing else names one. */
export const fallbackRegion = RegionSchema.make("us-east-1")

const asRegion = (value: string | undefined, from: string) => {
  if (value === undefined || value.trim() === "") return Effect.succeed(Option.none<Region>())
  const decoded = Schema.decodeUnknownOption(RegionSchema)(value.trim())
  return Option.isSome(decoded)
    ? Effect.succeed(decoded)
    : Effect.logWarning(`Ignoring ${from}="${value}": a region is written like us-east-1.`).pipe(Effect.as(decoded))
}

/** The profile's `region`, read by the SDK's own shared-config loader (honours `AWS_CONFIG_FILE`). */
const profileRegion = (profile: string | undefined): Effect.Effect<string | undefined> =>
  Effect.acquireUseRelease(
    Effect.sync(() => new STSClient(profile === undefined ? {} : { profile })),
    (client) =>
      Effect.tryPromise(() => client.config.region()).pipe(
        Effect.catchTag("UnknownError", () => Effect.succeed(undefined))
      ),
    (client) => Effect.sync(() => client.destroy())
  )

/** Resolve the default region: explicit argument → `AWS_REGION` → the profile's region → `us-east-1`. */
export const resolveRegion = Effect.fn("AwsConfig.resolveRegion")(function* (
  explicit: string | undefined,
  profile: string | undefined
) {
  const fromArgument = yield* asRegion(explicit, "region")
  if (Option.isSome(fromArgument)) return { region: fromArgument.value, source: "argument" as const }
  const fromEnv = yield* asRegion(process.env["AWS_REGION"], "AWS_REGION")
  if (Option.isSome(fromEnv)) return { region: fromEnv.value, source: "environment" as const }
  const fromProfile = yield* asRegion(yield* profileRegion(profile), `the region of profile ${profile ?? "default"}`)
  if (Option.isSome(fromProfile)) return { region: fromProfile.value, source: "profile" as const }
  return { region: fallbackRegion, source: "default" as const }
})

/** Build the adapter's settings from options and the environment. */
export const make = Effect.fn("AwsConfig.make")(function* (options: AwsAdapterOptions = {}) {
  const envProfile = process.env["AWS_PROFILE"]
  const profile = options.profile ?? (envProfile !== undefined && envProfile !== "" ? envProfile : undefined)
  const { region, source } = yield* resolveRegion(options.region, profile)
  return AwsConfig.of({
    profile,
    region,
    regionSource: source,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts,
    sandbox: options.sandbox ?? false,
    schemaCache: options.schemaCache ?? {}
  })
})

/** The adapter's settings from explicit options. */
export const layer = (options: AwsAdapterOptions = {}): Layer.Layer<AwsConfig> => Layer.effect(AwsConfig, make(options))

/**
 * The adapter's settings from `Config` where the options leave them open: `CCAPI_SCHEMA_CACHE_DIR` (a directory, or
 * `disabled`) and `CCAPI_AWS_MAX_ATTEMPTS`. Explicit options win.
 */
export const layerConfig = (options: AwsAdapterOptions = {}) =>
  Layer.effect(
    AwsConfig,
    Effect.gen(function* () {
      const cacheDir = yield* Config.option(Config.String("CCAPI_SCHEMA_CACHE_DIR"))
      const maxAttempts = yield* Config.option(Config.Int("CCAPI_AWS_MAX_ATTEMPTS"))
      const directory = options.schemaCache?.directory
      return yield* make({
        ...options,
        maxAttempts: options.maxAttempts ?? Option.getOrUndefined(maxAttempts),
        schemaCache: {
          ...options.schemaCache,
          directory:
            directory !== undefined || Option.isNone(cacheDir)
              ? directory
              : cacheDir.value.toLowerCase() === "disabled"
                ? false
                : cacheDir.value
        }
      })
    })
  )

/** The SDK's service ids, as used in `AWS_ENDPOINT_URL_<SERVICE>`. */
export type AwsService = "CloudControl" | "CloudFormation" | "STS"

/** The endpoint a service's calls go to when it is not AWS's default: explicit, then the SDK's environment variables. */
export const endpointFor = (endpoint: string | undefined, service: AwsService): string | undefined => {
  if (endpoint !== undefined) return endpoint
  const specific = process.env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`]
  if (specific !== undefined && specific !== "") return specific
  const general = process.env["AWS_ENDPOINT_URL"]
  return general !== undefined && general !== "" ? general : undefined
}

/** The `CallContext` of each call to `service` (for errors and spans): its operation, region, endpoint and profile. */
export const contextFor =
  (config: AwsConfig["Service"], service: AwsService) =>
  (
    operation: string,
    region: Region,
    extra: Omit<CallContext, "service" | "operation" | "region"> = {}
  ): CallContext => ({
    service,
    operation,
    region,
    endpoint: endpointFor(config.endpoint, service),
    profile: config.profile,
    ...extra
  })
