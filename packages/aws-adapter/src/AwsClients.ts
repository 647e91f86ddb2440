import type { Region } from "@ccapi/core"
import { CloudControlClient } from "@aws-sdk/client-cloudcontrol"
import { CloudFormationClient } from "@aws-sdk/client-cloudformation"
import { STSClient } from "@aws-sdk/client-sts"
import { fromNodeProviderChain } from "@aws-sdk/credential-providers"
import { Context, Effect, Layer } from "effect"
import {
  type AwsAdapterOptions,
  AwsConfig,
  type AwsService,
  contextFor,
  type CredentialProvider,
  layer as configLayer,
  layerConfig as configFromConfig
} from "./AwsConfig.js"
import type { CallContext } from "./internal/errorMap.js"

/**
 * The credentials every client signs with: one provider shared by all clients (so the SDK's chain resolves once),
 * and what kind of provider it is — the SDK's default chain, explicit keys, or a caller's own provider.
 */
export class AwsCredentials extends Context.Service<
  AwsCredentials,
  { readonly provider: CredentialProvider; readonly kind: "chain" | "static" | "custom" }
>()("@ccapi/aws-adapter/AwsCredentials") {}

/** SDK clients of one service, created once per region on first use and destroyed when the layer is released. */
export interface ClientCache<C> {
  readonly get: (region: Region) => Effect.Effect<C>
}

/** Cloud Control API clients, one per region. */
export class CloudControlClients extends Context.Service<CloudControlClients, ClientCache<CloudControlClient>>()(
  "@ccapi/aws-adapter/CloudControlClients"
) {}

/** CloudFormation clients (registry and IaC Generator), one per region. */
export class CloudFormationClients extends Context.Service<CloudFormationClients, ClientCache<CloudFormationClient>>()(
  "@ccapi/aws-adapter/CloudFormationClients"
) {}

/** STS clients, one per region. */
export class StsClients extends Context.Service<StsClients, ClientCache<STSClient>>()(
  "@ccapi/aws-adapter/StsClients"
) {}

/**
 * How each operation of a port starts: the call's context (what the error messages name) and its region's client.
 * `call(operation, region, details)` gives both.
 */
export const callsOf = <I, C>(clients: Context.Key<I, ClientCache<C>>, service: AwsService) =>
  Effect.gen(function* () {
    const context = contextFor(yield* AwsConfig, service)
    const cache = yield* clients
    return (operation: string, region: Region, details?: Omit<CallContext, "service" | "operation" | "region">) =>
      Effect.map(cache.get(region), (client) => ({ ctx: context(operation, region, details), client }))
  })

/** The shared credential provider: explicit credentials, or the SDK's default chain with the configured profile. */
export const makeCredentials = Effect.gen(function* () {
  const config = yield* AwsConfig
  const explicit = config.credentials
  if (typeof explicit === "function") return AwsCredentials.of({ provider: explicit, kind: "custom" })
  if (explicit !== undefined) {
    const value = { ...explicit }
    return AwsCredentials.of({ provider: () => Promise.resolve(value), kind: "static" })
  }
  const provider = fromNodeProviderChain({
    ...(config.profile !== undefined ? { profile: config.profile } : {}),
    clientConfig: { region: config.region }
  })
  return AwsCredentials.of({ provider, kind: "chain" })
})

interface Destroyable {
  destroy(): void
}

type ClientSettings = {
  region: string
  credentials: CredentialProvider
  endpoint?: string
  maxAttempts?: number
  profile?: string
}

const makeCache = <C extends Destroyable>(create: (settings: ClientSettings) => C) =>
  Effect.gen(function* () {
    const config = yield* AwsConfig
    const { provider } = yield* AwsCredentials
    const clients = yield* Effect.acquireRelease(
      Effect.sync(() => new Map<Region, C>()),
      (map) =>
        Effect.sync(() => {
          for (const client of map.values()) client.destroy()
          map.clear()
        })
    )
    const get = (region: Region) =>
      Effect.sync(() => {
        const existing = clients.get(region)
        if (existing !== undefined) return existing
        const client = create({
          region,
          credentials: provider,
          ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
          ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
          ...(config.profile !== undefined && config.credentials === undefined ? { profile: config.profile } : {})
        })
        clients.set(region, client)
        return client
      })
    return { get }
  })

/** One credential provider and the three client caches, scoped: every client is destroyed on release. */
export const layer: Layer.Layer<
  AwsCredentials | CloudControlClients | CloudFormationClients | StsClients,
  never,
  AwsConfig
> = Layer.mergeAll(
  Layer.effect(
    CloudControlClients,
    makeCache((s) => new CloudControlClient(s))
  ),
  Layer.effect(
    CloudFormationClients,
    makeCache((s) => new CloudFormationClient(s))
  ),
  Layer.effect(
    StsClients,
    makeCache((s) => new STSClient(s))
  )
).pipe(Layer.provideMerge(Layer.effect(AwsCredentials, makeCredentials)))

/**
 * A port's two self-contained layers from its layer over shared clients: `layer` with explicit settings, `layerConfig`
 * with settings read from `Config` (see `AwsConfig.layerConfig`); each brings its own credential provider and clients.
 */
export const portLayers = <A>(
  fromClients: Layer.Layer<
    A,
    never,
    AwsConfig | AwsCredentials | CloudControlClients | CloudFormationClients | StsClients
  >
) => ({
  layer: (options: AwsAdapterOptions = {}): Layer.Layer<A> =>
    fromClients.pipe(Layer.provide(layer), Layer.provide(configLayer(options))),
  layerConfig: (options: AwsAdapterOptions = {}) =>
    fromClients.pipe(Layer.provide(layer), Layer.provide(configFromConfig(options)))
})
