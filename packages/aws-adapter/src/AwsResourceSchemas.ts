import { createHash } from "node:crypto"
import { homedir } from "node:os"
import { join } from "node:path"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import {
  CloudUnavailable,
  parseResourceSchema,
  type Region,
  ResourceSchema,
  ResourceSchemas,
  TypeNotFound,
  type TypeName
} from "@ccapi/core"
import { DescribeTypeCommand } from "@aws-sdk/client-cloudformation"
import { Clock, Duration, Effect, Layer, Option, Random, Ref, Result, Schema } from "effect"
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

/**
 * One cached schema on disk: the document exactly as `DescribeType` returned it, when, its SHA-256 (an entry whose
 * document does not match is not trusted: it is fetched again), and every write-only pointer ever seen for the type.
 */
const CacheEntry = Schema.fromJsonString(
  Schema.Struct({
    version: Schema.Literal(2),
    typeName: Schema.String,
    region: Schema.String,
    fetchedAt: Schema.Number,
    schema: Schema.String,
    sha256: Schema.String,
    writeOnlySeen: Schema.Array(Schema.String)
  })
)

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

/** Top-level property names that look like they hold a secret (a password, a key, a token), not a reference to one. */
const secretName =
  /(password|passwd|secret|passphrase|private_?key|token|api_?key|credential)(?!.*(arn|id|name|policy|length|type|enabled|rotation|version|kms)$)/i

/**
 * The schema with its write-only list made strict, so that a value stays masked even when one `DescribeType` answer
 * is in doubt (its write-only list emptied or shortened): the schema's own write-only pointers, every one seen before
 * for the type (`seen`), and top-level properties — not read-only ones — whose names look secret.
 */
export const hardenWriteOnly = (schema: ResourceSchema, seen: ReadonlyArray<string>): ResourceSchema => {
  const readOnly = new Set(schema.readOnlyProperties)
  const secret = Object.keys(schema.properties)
    .filter((name) => secretName.test(name))
    .map((name) => `/properties/${name}`)
    .filter((pointer) => !readOnly.has(pointer))
  const all = [...new Set([...schema.writeOnlyProperties, ...seen.filter((p) => !readOnly.has(p)), ...secret])]
  return all.length === schema.writeOnlyProperties.length
    ? schema
    : new ResourceSchema({ ...schema, writeOnlyProperties: all })
}

const fileOf = (directory: string, region: Region, typeName: TypeName) =>
  join(directory, region, `${typeName.replaceAll("::", "--")}.json`)

/**
 * The `ResourceSchemas` port over CloudFormation `DescribeType`, cached in memory and (optionally) on disk per region.
 * A disk entry is trusted only when its SHA-256 matches its document; write-only values stay masked even when a
 * schema is in doubt (see `hardenWriteOnly`).
 */
export const make = Effect.gen(function* () {
  const config = yield* AwsConfig.AwsConfig
  const clients = yield* AwsClients.CloudFormationClients
  const ttl = Duration.toMillis(config.schemaCache.ttl ?? defaultTtl)
  const configured = config.schemaCache.directory
  const directory = configured === false ? undefined : (configured ?? defaultCacheDirectory())
  const memory = new Map<string, { readonly schema: ResourceSchema; readonly fetchedAt: number }>()
  /** Every write-only pointer seen per type (also from stale or replaced entries): the strictest list wins. */
  const writeOnlySeen = new Map<string, ReadonlyArray<string>>()
  const diskWritable = yield* Ref.make(true)
  const endpoint = AwsConfig.endpointFor(config.endpoint, "CloudFormation")

  const readDisk = (dir: string, region: Region, typeName: TypeName) =>
    Effect.tryPromise(() => readFile(fileOf(dir, region, typeName), "utf8")).pipe(
      Effect.flatMap(Schema.decodeUnknownEffect(CacheEntry)),
      Effect.flatMap((entry) => {
        const parsed = parseResourceSchema(entry.schema)
        return entry.typeName === typeName &&
          entry.region === region &&
          entry.sha256 === sha256(entry.schema) &&
          Result.isSuccess(parsed)
          ? Effect.succeed({ schema: parsed.success, fetchedAt: entry.fetchedAt, writeOnlySeen: entry.writeOnlySeen })
          : Effect.fail("mismatch" as const)
      }),
      Effect.option
    )

  const writeDisk = (
    dir: string,
    region: Region,
    typeName: TypeName,
    document: string,
    fetchedAt: number,
    seen: ReadonlyArray<string>
  ) =>
    Effect.gen(function* () {
      if (!(yield* Ref.get(diskWritable))) return
      const file = fileOf(dir, region, typeName)
      const temp = `${file}.${process.pid}.${yield* Random.nextIntBetween(0, 1_000_000_000)}.tmp`
      const body = JSON.stringify({
        version: 2,
        typeName,
        region,
        fetchedAt,
        schema: document,
        sha256: sha256(document),
        writeOnlySeen: seen
      })
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
      const onDisk = directory !== undefined ? yield* readDisk(directory, region, typeName) : Option.none()
      if (Option.isSome(onDisk)) {
        const seen = [...new Set([...(writeOnlySeen.get(key) ?? []), ...onDisk.value.writeOnlySeen])]
        writeOnlySeen.set(key, seen)
        if (fresh(onDisk.value.fetchedAt)) {
          const schema = hardenWriteOnly(onDisk.value.schema, seen)
          memory.set(key, { schema, fetchedAt: onDisk.value.fetchedAt })
          return schema
        }
      }
      const { schema: fetched, document } = yield* fetch(typeName, region)
      const before = writeOnlySeen.get(key) ?? []
      const dropped = before.filter((pointer) => !fetched.writeOnlyProperties.includes(pointer))
      if (dropped.length > 0)
        yield* Effect.logWarning(
          `DescribeType for ${typeName} in ${region} no longer lists ${dropped.join(", ")} as write-only; they stay masked.`
        )
      const seen = [...new Set([...before, ...fetched.writeOnlyProperties])]
      writeOnlySeen.set(key, seen)
      const schema = hardenWriteOnly(fetched, seen)
      memory.set(key, { schema, fetchedAt: now })
      if (directory !== undefined) yield* writeDisk(directory, region, typeName, document, now, seen)
      return schema
    }
  )

  return ResourceSchemas.of({ describe })
})

/** `ResourceSchemas` over clients and settings provided from outside (share them with the other AWS ports). */
export const layerFromClients = Layer.effect(ResourceSchemas, make)

/** `ResourceSchemas` with its own settings and clients (see `AwsClients.portLayers`). */
export const { layer, layerConfig } = AwsClients.portLayers(layerFromClients)
