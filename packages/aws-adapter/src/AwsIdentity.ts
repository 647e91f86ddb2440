import { CallerIdentity, type CredentialSource, EnvironmentInfo, Identity, type Region } from "@ccapi/core"
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts"
import { Clock, Effect, Layer } from "effect"
import * as AwsClients from "./AwsClients.js"
import * as AwsConfig from "./AwsConfig.js"
import { decodeResponse } from "./internal/decode.js"
import type { CallContext } from "./internal/errorMap.js"
import { tryAws } from "./internal/tryAws.js"

/**
 * The SDK's credential feature flags (`credentials.$source`, set by each provider of the default chain) that name
 * the source, most specific first: an assumed role whose base credentials came from SSO is an assumed role.
 */
const sourceFlags: ReadonlyArray<readonly [CredentialSource, ReadonlyArray<string>]> = [
  [
    "web-identity",
    [
      "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID",
      "CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN",
      "CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN"
    ]
  ],
  ["assume-role", ["CREDENTIALS_STS_ASSUME_ROLE", "CREDENTIALS_STS_ASSUME_ROLE_SAML"]],
  ["sso", ["CREDENTIALS_SSO", "CREDENTIALS_PROFILE_SSO", "CREDENTIALS_SSO_LEGACY", "CREDENTIALS_PROFILE_SSO_LEGACY"]],
  ["process", ["CREDENTIALS_PROCESS", "CREDENTIALS_PROFILE_PROCESS"]],
  ["container", ["CREDENTIALS_HTTP"]],
  ["instance", ["CREDENTIALS_IMDS"]],
  ["environment", ["CREDENTIALS_ENV_VARS"]],
  [
    "profile",
    [
      "CREDENTIALS_PROFILE",
      "CREDENTIALS_PROFILE_NAMED_PROVIDER",
      "CREDENTIALS_PROFILE_SOURCE_PROFILE",
      "CREDENTIALS_PROFILE_LOGIN",
      "CREDENTIALS_LOGIN"
    ]
  ],
  ["static", ["CREDENTIALS_CODE"]]
]

const profileFlags = new Set([
  "CREDENTIALS_PROFILE",
  "CREDENTIALS_PROFILE_NAMED_PROVIDER",
  "CREDENTIALS_PROFILE_SOURCE_PROFILE",
  "CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN",
  "CREDENTIALS_PROFILE_SSO",
  "CREDENTIALS_PROFILE_SSO_LEGACY",
  "CREDENTIALS_PROFILE_PROCESS",
  "CREDENTIALS_PROFILE_LOGIN"
])

const flagsOf = (credentials: unknown): ReadonlyArray<string> => {
  const source = (credentials as { $source?: unknown } | undefined)?.$source
  return typeof source === "object" && source !== null ? Object.keys(source) : []
}

/**
 * Where credentials came from, read from the SDK's own credential metadata. The default chain's container and
 * instance-metadata providers set no flag; without one, the chain's last links are told apart the way the chain
 * itself chooses them (a container credentials URI in the environment).
 */
export const credentialSourceOf = (
  credentials: unknown,
  kind: "chain" | "static" | "custom",
  env: Readonly<Record<string, string | undefined>> = process.env
): CredentialSource => {
  const flags = flagsOf(credentials)
  for (const [source, names] of sourceFlags) if (names.some((n) => flags.includes(n))) return source
  if (kind === "static") return "static"
  if (kind === "custom") return "unknown"
  return env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] || env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    ? "container"
    : "instance"
}

/** Whether the credentials came from a profile in the shared config files. */
export const cameFromProfile = (credentials: unknown): boolean => flagsOf(credentials).some((f) => profileFlags.has(f))

/** The names (never the values) of the `AWS_*` variables that are set, sorted. */
export const awsVariablesSet = (
  env: Readonly<Record<string, string | undefined>> = process.env
): ReadonlyArray<string> =>
  Object.keys(env)
    .filter((name) => name.startsWith("AWS_") && env[name] !== undefined && env[name] !== "")
    .sort()

/** How long an STS answer is reused for the same credentials and region. */
export const identityCacheMillis = 5_000

/** The `Identity` port: the environment as the SDK will see it, and STS `GetCallerIdentity` with the credential source. */
export const make = Effect.gen(function* () {
  const config = yield* AwsConfig.AwsConfig
  const clients = yield* AwsClients.StsClients
  const credentials = yield* AwsClients.AwsCredentials
  const endpoint = AwsConfig.endpointFor(config.endpoint, "STS")

  const environment: Identity["Service"]["environment"] = Effect.sync(
    () =>
      new EnvironmentInfo({
        ...(config.profile !== undefined ? { profile: config.profile } : {}),
        region: config.region,
        regionSource: config.regionSource,
        variablesSet: awsVariablesSet(),
        ...(AwsConfig.endpointFor(config.endpoint, "CloudControl") !== undefined
          ? { endpoint: AwsConfig.endpointFor(config.endpoint, "CloudControl")! }
          : {})
      })
  )

  // The caller's identity is asked right before every mutation: remembered for a few seconds (never for the session)
  // per region and per credentials, so new credentials (a profile switched, a role re-assumed) are asked about at once.
  const recent = new Map<string, { readonly at: number; readonly identity: CallerIdentity }>()

  const whoAmI: Identity["Service"]["whoAmI"] = Effect.fn("AwsIdentity.whoAmI")(function* (requested?: Region) {
    const region = requested ?? config.region
    const now = yield* Clock.currentTimeMillis
    const ctx: CallContext = {
      service: "STS",
      operation: "GetCallerIdentity",
      region,
      endpoint,
      profile: config.profile
    }
    const resolved = yield* tryAws(ctx, [], () => credentials.provider())
    const source: CredentialSource = config.sandbox ? "sandbox" : credentialSourceOf(resolved, credentials.kind)
    const profile = config.profile ?? (cameFromProfile(resolved) ? "default" : undefined)
    const key = `${region}\u0000${resolved.accessKeyId}\u0000${resolved.sessionToken ?? ""}`
    const remembered = recent.get(key)
    if (remembered !== undefined && now - remembered.at >= 0 && now - remembered.at < identityCacheMillis)
      return remembered.identity
    const client = yield* clients.get(region)
    const out = yield* tryAws(ctx, [], (options) => client.send(new GetCallerIdentityCommand({}), options))
    const identity = yield* decodeResponse(
      CallerIdentity,
      {
        accountId: out.Account,
        arn: out.Arn,
        userId: out.UserId,
        credentialSource: source,
        ...(profile !== undefined ? { profile } : {}),
        region,
        ...(endpoint !== undefined ? { endpoint } : {})
      },
      ctx
    )
    if (recent.size > 64) recent.clear()
    recent.set(key, { at: now, identity })
    return identity
  })

  return Identity.of({ environment, whoAmI })
})

/** `Identity` over clients and settings provided from outside (share them with the other AWS ports). */
export const layerFromClients = Layer.effect(Identity, make)

/** `Identity` with its own settings and clients (see `AwsClients.portLayers`). */
export const { layer, layerConfig } = AwsClients.portLayers(layerFromClients)
