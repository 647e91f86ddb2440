import { homedir } from "node:os"
import { join } from "node:path"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import {
  CloudUnavailable,
  parseResourceSchema,
  type Region,
  type ResourceSchema,
  ResourceSchemas,
  TypeNotFound,
  type TypeName
} from "@ccapi/core"
import { DescribeTypeCommand } from "@aws-sdk/client-cloudformation"
import { Clock, type Config, Duration, Effect, Layer, Option, Random, Ref, Result, Schema } from "effect"
import * as AwsClients from "./AwsClients.js"
import * as AwsConfig from "./AwsConfig.js"
import { required } from "./internal/decode.js"
import type { CallContext } from "./internal/errorMap.js"
import { tryAws } from "./internal/tryAws.js"

/** How long a cached schema is trusted before `DescribeType` is asked again. */
export const defaultTtl = Duration.days(7)

/** The default schema cache: `$XDG_CACHE_HOME/ccapi-mcp-server/schemas`, else `~/.cache/ccapi-mcp-server/schemas`. */
export const defaultCacheDirectory = (): string => {
  const xdg = process.env["XDG_CACHE_HOME"]
  const base = xdg !== undefined && xdg.startsWith("/") ? xdg : join(homedir(), ".cache")
  return join(base, "ccapi-mcp-server", "schemas")
}

/** One cached schema on disk: the document exactly as `DescribeType` returned it, and when. */
const CacheEntry = Schema.fromJsonString(
  Schema.Struct({
    version: Schema.Literal(1),
    typeName: Schema.String,
    region: Schema.String,
    fetchedAt: Schema.Number,
    schema: Schema.String
  })
)

const fileOf = (directory: string, region: Region, typeName: TypeName) =>
  join(directory, region, `${typeName.replaceAll("::", "--")}.json`)

/** The `ResourceSchemas` port over CloudFormation `DescribeType`, cached in memory and (optionally) on disk per region. */
export const make = Effect.gen(function* () {
  const config = yield* AwsConfig.AwsConfig
  const clients = yield* AwsClients.CloudFormationClients
  const ttl = Duration.toMillis(config.schemaCache.ttl ?? defaultTtl)
  const configured = config.schemaCache.directory
  const directory = configured === false ? undefined : (configured ?? defaultCacheDirectory())
  const memory = new Map<string, { readonly schema: ResourceSchema; readonly fetchedAt: number }>()
  const diskWritable = yield* Ref.make(true)
  const endpoint = AwsConfig.endpointFor(config.endpoint, "CloudFormation")

  const readDisk = (dir: string, region: Region, typeName: TypeName) =>
    Effect.tryPromise(() => readFile(fileOf(dir, region, typeName), "utf8")).pipe(
      Effect.flatMap(Schema.decodeUnknownEffect(CacheEntry)),
      Effect.flatMap((entry) => {
        const parsed = parseResourceSchema(entry.schema)
        return entry.typeName === typeName && entry.region === region && Result.isSuccess(parsed)
          ? Effect.succeed({ schema: parsed.success, fetchedAt: entry.fetchedAt })
          : Effect.fail("mismatch" as const)
      }),
      Effect.option
    )

  const writeDisk = (dir: string, region: Region, typeName: TypeName, document: string, fetchedAt: number) =>
    Effect.gen(function* () {
      if (!(yield* Ref.get(diskWritable))) return
      const file = fileOf(dir, region, typeName)
      const temp = `${file}.${process.pid}.${yield* Random.nextIntBetween(0, 1_000_000_000)}.tmp`
      const body = JSON.stringify({ version: 1, typeName, region, fetchedAt, schema: document })
      yield* Effect.tryPromise(async () => {
        await mkdir(join(dir, region), { recursive: true })
        try {
          await writeFile(temp, body, "utf8")
          await rename(temp, file)
        } catch (error) {
          await rm(temp, { force: true })
          throw error
        }
      }).pipe(
        Effect.catchTag("UnknownError", (e) =>
          Ref.set(diskWritable, false).pipe(
            Effect.andThen(
              Effect.logWarning(
                `The schema cache directory ${dir} is not writable (${String((e.cause as Error)?.message ?? e.cause)}); schemas are cached in memory only.`
              )
            )
          )
        )
      )
    })

  const fetch = Effect.fn("AwsResourceSchemas.fetch")(function* (typeName: TypeName, region: Region) {
    const ctx: CallContext = { service: "CloudFormation", operation: "DescribeType", region, typeName, endpoint }
    const client = yield* clients.get(region)
    const out = yield* tryAws(ctx, ["TypeNotFound", "InvalidRequest"], (options) =>
      client.send(new DescribeTypeCommand({ Type: "RESOURCE", TypeName: typeName }), options)
    ).pipe(
      Effect.catchTag("InvalidRequest", (e) =>
        Effect.fail(
          new TypeNotFound({
            typeName,
            message: `${typeName} is not a resource type CloudFormation knows in ${region}: ${e.message}`
          })
        )
      )
    )
    const document = yield* required(out.Schema, ctx, "Schema")
    const parsed = parseResourceSchema(document)
    if (Result.isFailure(parsed))
      return yield* new CloudUnavailable({
        service: "CloudFormation",
        message: `The provider schema CloudFormation returned for ${typeName} in ${region} could not be read (${parsed.failure.message}). Retry later.`
      })
    return { schema: parsed.success, document }
  })

  const describe: ResourceSchemas["Service"]["describe"] = Effect.fn("AwsResourceSchemas.describe")(
    function* (typeName, region) {
      const key = `${region}/${typeName}`
      const now = yield* Clock.currentTimeMillis
      const fresh = (fetchedAt: number) => now - fetchedAt < ttl && fetchedAt <= now
      const cached = memory.get(key)
      if (cached !== undefined && fresh(cached.fetchedAt)) return cached.schema
      if (directory !== undefined) {
        const onDisk = yield* readDisk(directory, region, typeName)
        if (Option.isSome(onDisk) && fresh(onDisk.value.fetchedAt)) {
          memory.set(key, onDisk.value)
          return onDisk.value.schema
        }
      }
      const { schema, document } = yield* fetch(typeName, region)
      memory.set(key, { schema, fetchedAt: now })
      if (directory !== undefined) yield* writeDisk(directory, region, typeName, document, now)
      return schema
    }
  )

  return ResourceSchemas.of({ describe })
})

/** `ResourceSchemas` over clients and settings provided from outside (share them with the other AWS ports). */
export const layerFromClients: Layer.Layer<
  ResourceSchemas,
  never,
  AwsConfig.AwsConfig | AwsClients.CloudFormationClients
> = Layer.effect(ResourceSchemas, make)

/** `ResourceSchemas` with its own settings and clients. */
export const layer = (options: AwsConfig.AwsAdapterOptions = {}): Layer.Layer<ResourceSchemas> =>
  layerFromClients.pipe(Layer.provide(AwsClients.layer), Layer.provide(AwsConfig.layer(options)))

/** `ResourceSchemas` with settings read from `Config` (see `AwsConfig.layerConfig`). */
export const layerConfig = (
  options: AwsConfig.AwsAdapterOptions = {}
): Layer.Layer<ResourceSchemas, Config.ConfigError> =>
  layerFromClients.pipe(Layer.provide(AwsClients.layer), Layer.provide(AwsConfig.layerConfig(options)))
