import {
  applyPatch,
  canonicalJson,
  ClientTokenConflict,
  CloudControl,
  ConcurrentOperation,
  identifier as makeIdentifier,
  InvalidRequest,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  NotUpdatable,
  type Operation,
  type OperationStatus,
  type PatchDocument,
  ProgressEvent,
  type Region,
  RequestNotFound,
  RequestToken,
  ResourceDescription,
  ResourceNotFound,
  ResourcePage,
  type ResourceSchema,
  ResourceSchemas,
  type TypeName,
  UnsupportedAction,
  removeSchemaPath,
  valuesAtSchemaPath
} from "@ccapi/core"
import { AjvPropertyValidator } from "@ccapi/validator"
import { Clock, Context, Duration, Effect, Layer, Result } from "effect"
import * as BundledSchemas from "./BundledSchemas.js"
import { awsValidationMessage } from "./internal/awsWording.js"
import {
  formattedProperties,
  generatedAttributes,
  generatedIdentifierValue,
  hasFormat,
  randomHex,
  withDefaults
} from "./internal/generate.js"
import { brokenReferences } from "./internal/references.js"

/** A mutation as `failureFor` sees it. */
export interface MemoryRequest {
  readonly operation: Operation
  readonly typeName: string
  readonly region: string
  readonly identifier: string
  readonly desiredState?: JsonObject | undefined
  readonly patch?: PatchDocument | undefined
}

export interface MemoryCloudOptions {
  /** The account in generated ARNs. */
  readonly accountId?: string
  /** How long a mutation stays IN_PROGRESS (Effect `Clock` time). Default 0: done at the next call. */
  readonly completionDelay?: Duration.Input
  /** Make a request end FAILED: return the status message (the error code is `GeneralServiceException`). */
  readonly failureFor?: (request: MemoryRequest) => string | undefined
  /** Page size of `list` when `maxResults` is not given. */
  readonly defaultPageSize?: number
}

interface StoredRequest {
  readonly requestToken: string
  readonly region: string
  readonly operation: Operation
  readonly typeName: string
  readonly identifier: string
  readonly fingerprint: string
  readonly clientToken: string
  readonly desiredState?: JsonObject | undefined
  readonly patch?: PatchDocument | undefined
  readonly completesAt: number
  status: OperationStatus
  eventTime: number
  errorCode?: string | undefined
  statusMessage?: string | undefined
  resourceModel?: JsonObject | undefined
}

interface RegionState {
  /** type → identifier → properties (write-only ones included). */
  readonly resources: Map<string, Map<string, JsonObject>>
  readonly requests: Map<string, StoredRequest>
  /** client token → request token. */
  readonly clientTokens: Map<string, string>
}

/** The in-memory cloud's whole state, as plain JSON (what `snapshot` returns and `restore` accepts). */
export interface MemoryCloudSnapshot {
  readonly version: 1
  readonly regions: Readonly<
    Record<
      string,
      {
        readonly resources: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>
        readonly requests: ReadonlyArray<JsonObject>
      }
    >
  >
}

type CloudControlService = CloudControl["Service"]

/** The in-memory Cloud Control plus what tests and the sandbox need beyond the port. */
export interface MemoryCloudService extends CloudControlService {
  readonly accountId: string
  /** The stored properties of a live resource (write-only ones included), for assertions and the template generator. */
  readonly peek: (input: {
    readonly typeName: string
    readonly identifier: string
    readonly region: string
  }) => Effect.Effect<JsonObject | undefined>
  /** Every live resource of a region as `[typeName, identifier, properties]`. */
  readonly resources: (region: string) => Effect.Effect<ReadonlyArray<readonly [string, string, JsonObject]>>
  readonly snapshot: () => Effect.Effect<MemoryCloudSnapshot>
  readonly restore: (snapshot: unknown) => Effect.Effect<void, InvalidRequest>
}

/** The in-memory cloud, for code that needs more than the `CloudControl` port (snapshots, peeking). */
export class MemoryCloud extends Context.Service<MemoryCloud, MemoryCloudService>()(
  "@ccapi/memory-cloud/MemoryCloud"
) {}

const MAX_RESULTS = 100
const TERMINAL: ReadonlyArray<OperationStatus> = ["SUCCESS", "FAILED", "CANCEL_COMPLETE"]

const topLevel = (pointers: ReadonlyArray<string>): ReadonlyArray<string> =>
  pointers.filter((p) => p.split("/").length === 3).map((p) => p.split("/")[2]!)

const withoutWriteOnly = (schema: ResourceSchema, properties: JsonObject): JsonObject =>
  schema.writeOnlyProperties.reduce(removeSchemaPath, properties)

const encodeNextToken = (payload: { o: number; t: string; r: string; f: string }): string =>
  Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")

const decodeNextToken = (token: string): { o: number; t: string; r: string; f: string } | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"))
    if (!isJsonObject(value)) return undefined
    const { f, o, r, t } = value
    return typeof o === "number" && typeof t === "string" && typeof r === "string" && typeof f === "string"
      ? { o, t, r, f }
      : undefined
  } catch {
    return undefined
  }
}

/** Build an in-memory Cloud Control that behaves like the service; schemas come from `ResourceSchemas`. */
export const make = (options: MemoryCloudOptions = {}): Effect.Effect<MemoryCloudService, never, ResourceSchemas> =>
  Effect.gen(function* () {
    const schemas = yield* ResourceSchemas
    const validator = AjvPropertyValidator.makeUnsafe()
    const accountId = options.accountId ?? "123456789012"
    const delay = Duration.toMillis(options.completionDelay ?? 0)
    const pageSize = Math.min(MAX_RESULTS, Math.max(1, options.defaultPageSize ?? 20))
    const regions = new Map<string, RegionState>()
    /** Submission order of requests still pending, across regions. */
    const pending: Array<StoredRequest> = []

    const regionState = (region: string): RegionState => {
      let state = regions.get(region)
      if (state === undefined) {
        state = { resources: new Map(), requests: new Map(), clientTokens: new Map() }
        regions.set(region, state)
      }
      return state
    }
    const table = (region: string, typeName: string): Map<string, JsonObject> => {
      const state = regionState(region)
      let byId = state.resources.get(typeName)
      if (byId === undefined) {
        byId = new Map()
        state.resources.set(typeName, byId)
      }
      return byId
    }

    const eventOf = (request: StoredRequest, status: OperationStatus = request.status): ProgressEvent =>
      new ProgressEvent({
        typeName: request.typeName as TypeName,
        identifier: makeIdentifier(request.identifier),
        requestToken: RequestToken.make(request.requestToken),
        operation: request.operation,
        status,
        eventTime: request.eventTime,
        ...(request.resourceModel !== undefined ? { resourceModel: request.resourceModel } : {}),
        ...(request.statusMessage !== undefined ? { statusMessage: request.statusMessage } : {}),
        ...(request.errorCode !== undefined ? { errorCode: request.errorCode } : {}),
        ...(TERMINAL.includes(status) ? {} : { retryAfter: Math.max(request.eventTime, request.completesAt) })
      })

    const finish = (
      request: StoredRequest,
      now: number,
      outcome: Partial<StoredRequest> & { status: OperationStatus }
    ) => {
      Object.assign(request, outcome, { eventTime: now })
    }

    /** Apply one due request to the stored resources. */
    const complete = (request: StoredRequest, now: number, schema: ResourceSchema | undefined) => {
      const byId = table(request.region, request.typeName)
      const fail = (errorCode: string, statusMessage: string) =>
        finish(request, now, { status: "FAILED", errorCode, statusMessage })
      const injected = options.failureFor?.({
        operation: request.operation,
        typeName: request.typeName,
        region: request.region,
        identifier: request.identifier,
        desiredState: request.desiredState,
        patch: request.patch
      })
      if (injected !== undefined) return fail("GeneralServiceException", injected)
      const visible = (properties: JsonObject) => (schema ? withoutWriteOnly(schema, properties) : properties)
      switch (request.operation) {
        case "CREATE": {
          if (byId.has(request.identifier))
            return fail(
              "AlreadyExists",
              `Resource of type '${request.typeName}' with identifier '${request.identifier}' already exists.`
            )
          const properties = request.desiredState ?? {}
          const broken = schema ? brokenReferences(schema, properties, (type) => table(request.region, type)) : []
          if (broken.length > 0) return fail("NotFound", broken.join(" "))
          byId.set(request.identifier, properties)
          return finish(request, now, { status: "SUCCESS", resourceModel: visible(properties) })
        }
        case "UPDATE": {
          const current = byId.get(request.identifier)
          if (current === undefined)
            return fail(
              "NotFound",
              `Resource of type '${request.typeName}' with identifier '${request.identifier}' was not found.`
            )
          const patched = applyPatch(current, request.patch ?? [])
          if (Result.isFailure(patched)) return fail("InvalidRequest", patched.failure.message)
          byId.set(request.identifier, patched.success)
          return finish(request, now, { status: "SUCCESS", resourceModel: visible(patched.success) })
        }
        case "DELETE": {
          if (!byId.delete(request.identifier))
            return fail(
              "NotFound",
              `Resource of type '${request.typeName}' with identifier '${request.identifier}' was not found.`
            )
          return finish(request, now, { status: "SUCCESS" })
        }
      }
    }

    /** Complete every pending request that was due at `now`, in submission order. */
    const settle = (now: number): Effect.Effect<void> =>
      Effect.gen(function* () {
        while (pending.length > 0 && pending[0]!.completesAt <= now) {
          const request = pending.shift()!
          if (request.status !== "IN_PROGRESS") continue
          const schema = yield* schemas
            .describe(request.typeName as TypeName, request.region as Region)
            .pipe(Effect.orElseSucceed(() => undefined))
          complete(request, now, schema)
        }
      })

    const busy = (region: string, typeName: string, identifier: string, operation?: Operation): boolean =>
      pending.some(
        (r) =>
          r.status === "IN_PROGRESS" &&
          r.region === region &&
          r.typeName === typeName &&
          r.identifier === identifier &&
          (operation === undefined || r.operation === operation)
      )

    /** Cloud Control refuses what the type's handlers do not do (types without handlers do nothing). */
    const supported = (schema: ResourceSchema, action: BundledSchemas.HandlerAction) =>
      BundledSchemas.supports(schema, action)
        ? Effect.void
        : Effect.fail(
            new UnsupportedAction({
              typeName: schema.typeName,
              action: action.toUpperCase(),
              message: `Resource type ${schema.typeName} does not support ${action.toUpperCase()} action${BundledSchemas.provisioningType(schema) === "NON_PROVISIONABLE" ? " (it is NON_PROVISIONABLE: Cloud Control cannot manage it; use CloudFormation or the service's own API)" : ""}.`
            })
          )

    const concurrent = (typeName: string, identifier: string) =>
      new ConcurrentOperation({
        message: `Another operation on ${typeName} '${identifier}' is still in progress. Wait for it to finish (poll its request status), then retry.`
      })

    /** Returns the earlier request for a retried client token, or fails when the token was used for another request. */
    const idempotent = (region: string, clientToken: string, fingerprint: string) =>
      Effect.suspend(() => {
        const token = regionState(region).clientTokens.get(clientToken)
        if (token === undefined) return Effect.succeed(undefined)
        const earlier = regionState(region).requests.get(token)!
        if (earlier.fingerprint === fingerprint) return Effect.succeed(earlier)
        return Effect.fail(
          new ClientTokenConflict({
            message:
              "This client token was already used for a different request. Use a new client token for a new request."
          })
        )
      })

    const submit = Effect.fn("MemoryCloud.submit")(function* (
      input: Omit<StoredRequest, "requestToken" | "completesAt" | "status" | "eventTime" | "fingerprint"> & {
        readonly fingerprintOf: JsonObject
      }
    ) {
      const now = yield* Clock.currentTimeMillis
      const requestToken = `${yield* randomHex(8)}-${yield* randomHex(4)}-${yield* randomHex(4)}-${yield* randomHex(4)}-${yield* randomHex(12)}`
      const { fingerprintOf, ...rest } = input
      const request: StoredRequest = {
        ...rest,
        requestToken,
        fingerprint: canonicalJson(fingerprintOf),
        completesAt: now + delay,
        status: "IN_PROGRESS",
        eventTime: now
      }
      const state = regionState(input.region)
      state.requests.set(requestToken, request)
      state.clientTokens.set(input.clientToken, requestToken)
      pending.push(request)
      return eventOf(request)
    })

    const resolveIdentifier = (schema: ResourceSchema, identifier: string): string => {
      if (!identifier.startsWith("{")) return identifier
      try {
        const parsed: unknown = JSON.parse(identifier)
        if (!isJsonObject(parsed)) return identifier
        const parts = schema.primaryIdentifierNames.map((name) => parsed[name])
        return parts.every((p) => typeof p === "string" || typeof p === "number") ? parts.join("|") : identifier
      } catch {
        return identifier
      }
    }

    const notFound = (typeName: string, identifier: string) =>
      new ResourceNotFound({
        typeName,
        identifier,
        message: `Resource of type '${typeName}' with identifier '${identifier}' was not found. List the resources of this type to find the right identifier.`
      })

    const invalid = (message: string, code = "ValidationException") => new InvalidRequest({ code, message })

    const service: MemoryCloudService = {
      accountId,

      create: Effect.fn("MemoryCloud.create")(function* ({ clientToken, desiredState, region, typeName }) {
        const schema = yield* schemas.describe(typeName, region)
        yield* supported(schema, "create")
        yield* settle(yield* Clock.currentTimeMillis)
        const fingerprintOf = { operation: "CREATE", typeName, desiredState }
        const earlier = yield* idempotent(region, clientToken, canonicalJson(fingerprintOf))
        if (earlier !== undefined) return eventOf(earlier)
        const readOnlySent = topLevel(schema.readOnlyProperties).filter((name) => name in desiredState)
        const issues = validator.issues(schema, desiredState, "create")
        const lines = [
          ...readOnlySent.map((name) => `#: extraneous key [${name}] is not permitted`),
          ...issues.map((issue) => awsValidationMessage(issue, desiredState))
        ]
        if (lines.length > 0) return yield* invalid(`Model validation failed (${[...new Set(lines)].join("\n")})`)

        const context = { schema, region, accountId }
        const properties: Record<string, JsonValue> = {
          ...(yield* formattedProperties(context, withDefaults(schema, desiredState)))
        }
        const parts: Array<string> = []
        for (const name of schema.primaryIdentifierNames) {
          const given = properties[name]
          if (typeof given === "string" || typeof given === "number") {
            parts.push(String(given))
            continue
          }
          const value = yield* generatedIdentifierValue(context, name, properties)
          properties[name] = value
          parts.push(value)
        }
        if (parts.length === 0) parts.push(yield* randomHex(16))
        const identifier = parts.join("|")
        // Types with formats as data get exactly those attributes (AWS reports some only in some configurations).
        if (!hasFormat(typeName)) Object.assign(properties, yield* generatedAttributes(context, identifier, properties))
        if (busy(region, typeName, identifier)) return yield* concurrent(typeName, identifier)
        return yield* submit({
          region,
          operation: "CREATE",
          typeName,
          identifier,
          clientToken,
          desiredState: properties,
          fingerprintOf
        })
      }),

      update: Effect.fn("MemoryCloud.update")(function* ({ clientToken, identifier: rawId, patch, region, typeName }) {
        const schema = yield* schemas.describe(typeName, region)
        yield* supported(schema, "update")
        yield* settle(yield* Clock.currentTimeMillis)
        const identifier = resolveIdentifier(schema, rawId)
        const fingerprintOf = { operation: "UPDATE", typeName, identifier, patch: patch as unknown as JsonValue }
        const earlier = yield* idempotent(region, clientToken, canonicalJson(fingerprintOf))
        if (earlier !== undefined) return eventOf(earlier)
        if (busy(region, typeName, identifier)) return yield* concurrent(typeName, identifier)
        const current = table(region, typeName).get(identifier)
        if (current === undefined) return yield* notFound(typeName, identifier)
        const touched = patch.map((op) => `/properties${op.path}`)
        const readOnlyTouched = schema.readOnlyProperties.filter((p) =>
          touched.some((t) => t === p || t.startsWith(`${p}/`))
        )
        if (readOnlyTouched.length > 0)
          return yield* invalid(
            `Invalid patch update: readOnlyProperties [${readOnlyTouched.join(", ")}] cannot be updated`
          )
        const patched = applyPatch(current, patch)
        if (Result.isFailure(patched)) return yield* invalid(`Invalid patch: ${patched.failure.message}`)
        const changed = schema.createOnlyProperties.filter(
          (p) => canonicalJson(valuesAtSchemaPath(current, p)) !== canonicalJson(valuesAtSchemaPath(patched.success, p))
        )
        if (changed.length > 0)
          return yield* new NotUpdatable({
            properties: changed,
            message: `Invalid patch update: createOnlyProperties [${changed.join(", ")}] cannot be updated. Create a new resource with the new value instead (and delete this one if it is no longer needed).`
          })
        const issues = validator.issues(schema, patched.success, "preview")
        if (issues.length > 0)
          return yield* invalid(
            `Model validation failed (${issues.map((issue) => awsValidationMessage(issue, patched.success)).join("\n")})`
          )
        return yield* submit({ region, operation: "UPDATE", typeName, identifier, clientToken, patch, fingerprintOf })
      }),

      delete: Effect.fn("MemoryCloud.delete")(function* ({ clientToken, identifier: rawId, region, typeName }) {
        const schema = yield* schemas.describe(typeName, region)
        yield* supported(schema, "delete")
        yield* settle(yield* Clock.currentTimeMillis)
        const identifier = resolveIdentifier(schema, rawId)
        const fingerprintOf = { operation: "DELETE", typeName, identifier }
        const earlier = yield* idempotent(region, clientToken, canonicalJson(fingerprintOf))
        if (earlier !== undefined) return eventOf(earlier)
        if (busy(region, typeName, identifier)) return yield* concurrent(typeName, identifier)
        if (!table(region, typeName).has(identifier)) return yield* notFound(typeName, identifier)
        return yield* submit({ region, operation: "DELETE", typeName, identifier, clientToken, fingerprintOf })
      }),

      get: Effect.fn("MemoryCloud.get")(function* ({ identifier: rawId, region, typeName }) {
        const schema = yield* schemas.describe(typeName, region)
        yield* supported(schema, "read")
        yield* settle(yield* Clock.currentTimeMillis)
        const identifier = resolveIdentifier(schema, rawId)
        if (busy(region, typeName, identifier, "CREATE"))
          return yield* invalid(
            `Resource of type '${typeName}' with identifier '${identifier}' is being created and cannot be read until that operation finishes. Poll the create request's status, then retry.`,
            "ResourceConflictException"
          )
        const properties = table(region, typeName).get(identifier)
        if (properties === undefined) return yield* notFound(typeName, identifier)
        return new ResourceDescription({
          identifier: makeIdentifier(identifier),
          properties: withoutWriteOnly(schema, properties)
        })
      }),

      list: Effect.fn("MemoryCloud.list")(function* ({ maxResults, nextToken, region, resourceModel, typeName }) {
        const schema = yield* schemas.describe(typeName, region)
        yield* supported(schema, "list")
        yield* settle(yield* Clock.currentTimeMillis)
        if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS))
          return yield* invalid(`maxResults must be an integer from 1 to ${MAX_RESULTS}.`, "InvalidRequestException")
        const missing = schema.listRequiresProperties.filter((name) => resourceModel?.[name] === undefined)
        if (missing.length > 0)
          return yield* invalid(
            `Missing Or Invalid ResourceModel property in ${typeName} list handler request input. Required property: [${missing.join(", ")}]. Pass the parent in the resource model (e.g. {"${missing[0]}": "…"}).`,
            "InvalidRequestException"
          )
        const filter = canonicalJson(resourceModel ?? {})
        let offset = 0
        if (nextToken !== undefined) {
          const decoded = decodeNextToken(nextToken)
          if (decoded === undefined || decoded.t !== typeName || decoded.r !== region || decoded.f !== filter)
            return yield* invalid(
              "The next token is not valid for this type, region and resource model. Start the listing again without a next token.",
              "InvalidRequestException"
            )
          offset = decoded.o
        }
        const matches = [...table(region, typeName).entries()].filter(([, properties]) =>
          Object.entries(resourceModel ?? {}).every(
            ([key, value]) => properties[key] !== undefined && canonicalJson(properties[key]!) === canonicalJson(value)
          )
        )
        const size = maxResults ?? pageSize
        const page = matches.slice(offset, offset + size)
        const more = offset + size < matches.length
        return new ResourcePage({
          typeName,
          resources: page.map(
            ([id, properties]) =>
              new ResourceDescription({
                identifier: makeIdentifier(id),
                properties: withoutWriteOnly(schema, properties)
              })
          ),
          ...(more ? { nextToken: encodeNextToken({ o: offset + size, t: typeName, r: region, f: filter }) } : {})
        })
      }),

      requestStatus: Effect.fn("MemoryCloud.requestStatus")(function* ({ region, requestToken }) {
        yield* settle(yield* Clock.currentTimeMillis)
        const request = regionState(region).requests.get(requestToken)
        if (request === undefined)
          return yield* new RequestNotFound({
            requestToken,
            message: `No request with this token exists in ${region}. Check the region the request was made in.`
          })
        return eventOf(request)
      }),

      cancel: Effect.fn("MemoryCloud.cancel")(function* ({ region, requestToken }) {
        const now = yield* Clock.currentTimeMillis
        yield* settle(now)
        const request = regionState(region).requests.get(requestToken)
        if (request === undefined)
          return yield* new RequestNotFound({
            requestToken,
            message: `No request with this token exists in ${region}. Check the region the request was made in.`
          })
        if (request.status !== "IN_PROGRESS")
          return yield* new ConcurrentOperation({
            message: `The request has already finished (${request.status}); only PENDING or IN_PROGRESS requests can be cancelled.`
          })
        finish(request, now, { status: "CANCEL_COMPLETE" })
        return eventOf(request, "CANCEL_IN_PROGRESS")
      }),

      peek: ({ identifier, region, typeName }) => Effect.sync(() => table(region, typeName).get(identifier)),

      resources: (region) =>
        Effect.gen(function* () {
          yield* settle(yield* Clock.currentTimeMillis)
          return [...regionState(region).resources.entries()].flatMap(([typeName, byId]) =>
            [...byId.entries()].map(([id, properties]) => [typeName, id, properties] as const)
          )
        }),

      snapshot: () =>
        Effect.gen(function* () {
          yield* settle(yield* Clock.currentTimeMillis)
          const out: Record<string, MemoryCloudSnapshot["regions"][string]> = {}
          for (const [region, state] of regions) {
            out[region] = {
              resources: Object.fromEntries(
                [...state.resources.entries()].map(([type, byId]) => [type, Object.fromEntries(byId)])
              ),
              requests: [...state.requests.values()].map((r) => JSON.parse(JSON.stringify(r)) as JsonObject)
            }
          }
          return { version: 1, regions: out } satisfies MemoryCloudSnapshot
        }),

      restore: (snapshot) =>
        Effect.suspend(() => {
          if (!isJsonObject(snapshot) || snapshot["version"] !== 1 || !isJsonObject(snapshot["regions"]))
            return Effect.fail(invalid("The snapshot is not a MemoryCloud snapshot (version 1).", "InvalidSnapshot"))
          regions.clear()
          pending.length = 0
          for (const [region, raw] of Object.entries(snapshot["regions"])) {
            if (!isJsonObject(raw)) continue
            const state = regionState(region)
            const resources = isJsonObject(raw["resources"]) ? raw["resources"] : {}
            for (const [type, byId] of Object.entries(resources)) {
              if (!isJsonObject(byId)) continue
              state.resources.set(
                type,
                new Map(Object.entries(byId).filter((e): e is [string, JsonObject] => isJsonObject(e[1])))
              )
            }
            const requests = Array.isArray(raw["requests"]) ? raw["requests"] : []
            for (const item of requests) {
              if (!isJsonObject(item) || typeof item["requestToken"] !== "string") continue
              const request = { ...item } as unknown as StoredRequest
              state.requests.set(request.requestToken, request)
              state.clientTokens.set(request.clientToken, request.requestToken)
              if (request.status === "IN_PROGRESS") pending.push(request)
            }
          }
          pending.sort((a, b) => a.completesAt - b.completesAt)
          return Effect.void
        })
    }
    return service
  })

/** Both tags, from one in-memory cloud. */
const contextOf = (service: MemoryCloudService) =>
  Context.make(MemoryCloud, service).pipe(Context.add(CloudControl, service))

/** `CloudControl` (and `MemoryCloud`) in memory, over the schemas of the `ResourceSchemas` in context. */
export const layerWith = (
  options: MemoryCloudOptions = {}
): Layer.Layer<CloudControl | MemoryCloud, never, ResourceSchemas> =>
  Layer.effectContext(Effect.map(make(options), contextOf))

/** `CloudControl` (and `MemoryCloud`) in memory, over the bundled schemas. */
export const layerMemory = (options: MemoryCloudOptions = {}): Layer.Layer<CloudControl | MemoryCloud> =>
  layerWith(options).pipe(Layer.provide(BundledSchemas.layerMemory))
