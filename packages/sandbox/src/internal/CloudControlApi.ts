import { randomUUID } from "node:crypto"
import { Effect, Schema } from "effect"
import {
  ClientToken,
  CloudControl,
  Identifier,
  isJsonObject,
  PatchDocument,
  RequestToken,
  TypeName,
  type JsonObject,
  type ProgressEvent,
  type Region,
  type ResourceDescription
} from "@ccapi/core"
import { type ApiError, clientError, serverError, validationMessage } from "./ApiError.js"
import type { Registry } from "./Registry.js"
import { epochSeconds } from "./wire.js"

/** The Cloud Control operations the sandbox answers (`X-Amz-Target: CloudApiService.<Op>`). */
export const cloudControlOperations = [
  "CreateResource",
  "GetResource",
  "UpdateResource",
  "DeleteResource",
  "ListResources",
  "GetResourceRequestStatus",
  "CancelResourceRequest",
  "ListResourceRequests"
] as const

/** The wire code and HTTP status of each domain error a port can fail with. */
const domainCodes: Record<string, { readonly code: string; readonly status: number }> = {
  ResourceNotFound: { code: "ResourceNotFoundException", status: 400 },
  ResourceAlreadyExists: { code: "AlreadyExistsException", status: 400 },
  TypeNotFound: { code: "TypeNotFoundException", status: 400 },
  AccessDenied: { code: "AccessDeniedException", status: 400 },
  CredentialsMissing: { code: "MissingAuthenticationTokenException", status: 400 },
  CredentialsExpired: { code: "ExpiredTokenException", status: 400 },
  Throttled: { code: "ThrottlingException", status: 400 },
  InvalidRequest: { code: "InvalidRequestException", status: 400 },
  NotUpdatable: { code: "NotUpdatableException", status: 400 },
  UnsupportedAction: { code: "UnsupportedActionException", status: 400 },
  ConcurrentOperation: { code: "ConcurrentOperationException", status: 400 },
  ClientTokenConflict: { code: "ClientTokenConflictException", status: 400 },
  RequestNotFound: { code: "RequestTokenNotFoundException", status: 400 },
  CloudUnavailable: { code: "ServiceInternalErrorException", status: 500 }
}

/**
 * The codes an `InvalidRequest` may carry through to the wire: Cloud Control's modelled errors
 * (botocore cloudcontrol-2021-09-30) and `ValidationException`, which it answers for a desired state that fails the
 * type's schema. Any other code is answered as `InvalidRequestException`.
 */
const invalidRequestCodes: ReadonlySet<string> = new Set([
  "ValidationException",
  "InvalidRequestException",
  "ResourceConflictException",
  "GeneralServiceException",
  "ServiceLimitExceededException",
  "NotStabilizedException",
  "NetworkFailureException",
  "HandlerFailureException",
  "PrivateTypeException"
])

/** A port's domain error as Cloud Control would answer it. */
export const fromDomain = (error: {
  readonly _tag: string
  readonly message: string
  readonly code?: string | undefined
}): ApiError => {
  if (error._tag === "InvalidRequest" && error.code !== undefined && invalidRequestCodes.has(error.code))
    return clientError(error.code, error.message)
  const known = domainCodes[error._tag]
  if (known === undefined) return serverError("ServiceInternalErrorException", error.message)
  return known.status >= 500
    ? serverError(known.code, error.message, known.status)
    : clientError(known.code, error.message)
}

type Body = Readonly<Record<string, unknown>>

const validation = (value: unknown, member: string, constraint: string): ApiError =>
  clientError("ValidationException", validationMessage(value, member, constraint))

const optionalString = (body: Body, name: string): Effect.Effect<string | undefined, ApiError> => {
  const value = body[name]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  return typeof value === "string"
    ? Effect.succeed(value)
    : Effect.fail(clientError("SerializationException", `${name} must be a string`))
}

const requiredString = (body: Body, name: string): Effect.Effect<string, ApiError> =>
  Effect.flatMap(optionalString(body, name), (value) =>
    value === undefined ? Effect.fail(validation(value, camel(name), "Member must not be null")) : Effect.succeed(value)
  )

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1)

const branded = <A>(schema: Schema.Codec<A, string>, member: string, constraint: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (value: string): Effect.Effect<A, ApiError> =>
    Effect.mapError(decode(value), () => validation(value, member, constraint))
}

const typeNameOf = branded(
  TypeName,
  "typeName",
  "Member must satisfy regular expression pattern: [A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}"
)
const identifierOf = branded(Identifier, "identifier", "Member must have length between 1 and 1024")
const clientTokenOf = branded(
  ClientToken,
  "clientToken",
  "Member must satisfy regular expression pattern: [-A-Za-z0-9+/=]+ and have length between 1 and 128"
)
const requestTokenOf = branded(RequestToken, "requestToken", "Member must have length between 1 and 128")

/** The members most operations take, decoded (a `ClientToken` left out is a fresh one, as the SDK would send). */
const typeNameMember = (body: Body) => Effect.flatMap(requiredString(body, "TypeName"), typeNameOf)
const identifierMember = (body: Body) => Effect.flatMap(requiredString(body, "Identifier"), identifierOf)
const requestTokenMember = (body: Body) => Effect.flatMap(requiredString(body, "RequestToken"), requestTokenOf)
const clientTokenMember = (body: Body) =>
  Effect.flatMap(optionalString(body, "ClientToken"), (token) => clientTokenOf(token ?? randomUUID()))

const jsonObjectField = (text: string, name: string): Effect.Effect<JsonObject, ApiError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    return Effect.fail(
      clientError(
        "InvalidRequestException",
        `${name} is not valid JSON (${String(cause)}); send a JSON object as a string.`
      )
    )
  }
  return isJsonObject(parsed)
    ? Effect.succeed(parsed)
    : Effect.fail(clientError("InvalidRequestException", `${name} must be a JSON object, sent as a string.`))
}

const decodePatch = Schema.decodeUnknownEffect(PatchDocument)
const patchField = (text: string): Effect.Effect<PatchDocument, ApiError> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    return Effect.fail(clientError("InvalidRequestException", `PatchDocument is not valid JSON (${String(cause)}).`))
  }
  return Effect.mapError(decodePatch(parsed), (error) =>
    clientError("InvalidRequestException", `PatchDocument is not an RFC 6902 JSON Patch array: ${error.message}`)
  )
}

const maxResultsOf = (body: Body): Effect.Effect<number | undefined, ApiError> => {
  const value = body["MaxResults"]
  if (value === undefined || value === null) return Effect.succeed(undefined)
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100)
    return Effect.fail(validation(value, "maxResults", "Member must have value between 1 and 100"))
  return Effect.succeed(value)
}

/** Our progress event, as Cloud Control's `ProgressEvent` shape (epoch-second timestamps, JSON-string model). */
export const progressEventWire = (event: ProgressEvent): Record<string, unknown> => ({
  TypeName: event.typeName,
  ...(event.identifier !== undefined ? { Identifier: event.identifier } : {}),
  RequestToken: event.requestToken,
  Operation: event.operation,
  OperationStatus: event.status,
  EventTime: epochSeconds(event.eventTime ?? Date.now()),
  ...(event.resourceModel !== undefined ? { ResourceModel: JSON.stringify(event.resourceModel) } : {}),
  ...(event.statusMessage !== undefined ? { StatusMessage: event.statusMessage } : {}),
  ...(event.errorCode !== undefined ? { ErrorCode: event.errorCode } : {}),
  ...(event.retryAfter !== undefined ? { RetryAfter: epochSeconds(event.retryAfter) } : {})
})

const descriptionWire = (resource: ResourceDescription): Record<string, unknown> => ({
  Identifier: resource.identifier,
  Properties: JSON.stringify(resource.properties)
})

/** A request token for paging `ListResourceRequests`: the offset, opaque to the caller. */
const encodeOffset = (offset: number): string => Buffer.from(JSON.stringify({ o: offset })).toString("base64url")
const decodeOffset = (token: string): Effect.Effect<number, ApiError> => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"))
    if (isJsonObject(parsed) && typeof parsed["o"] === "number") return Effect.succeed(parsed["o"])
  } catch {
    // fall through
  }
  return Effect.fail(
    clientError("InvalidRequestException", "NextToken is not one this endpoint issued; start again without it.")
  )
}

const stringList = (value: unknown): ReadonlyArray<string> | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined

/** Answer one Cloud Control operation through the `CloudControl` port; the result is the JSON response body. */
export const handleCloudControl = Effect.fn("CloudControlApi.handle")(function* (
  operation: string,
  body: Body,
  region: Region,
  registry: Registry
) {
  const cloud = yield* CloudControl
  /** A request the port started: kept for `ListResourceRequests`, answered as its progress event. */
  const started = (request: Effect.Effect<ProgressEvent, Parameters<typeof fromDomain>[0]>) =>
    request.pipe(
      Effect.mapError(fromDomain),
      Effect.map((event) => {
        registry.recordRequest({ region, requestToken: event.requestToken, at: event.eventTime ?? Date.now() })
        return { ProgressEvent: progressEventWire(event) }
      })
    )
  switch (operation) {
    case "CreateResource": {
      const typeName = yield* typeNameMember(body)
      const desiredState = yield* Effect.flatMap(requiredString(body, "DesiredState"), (t) =>
        jsonObjectField(t, "DesiredState")
      )
      const clientToken = yield* clientTokenMember(body)
      return yield* started(cloud.create({ typeName, desiredState, clientToken, region }))
    }
    case "UpdateResource": {
      const typeName = yield* typeNameMember(body)
      const identifier = yield* identifierMember(body)
      const patch = yield* Effect.flatMap(requiredString(body, "PatchDocument"), patchField)
      const clientToken = yield* clientTokenMember(body)
      return yield* started(cloud.update({ typeName, identifier, patch, clientToken, region }))
    }
    case "DeleteResource": {
      const typeName = yield* typeNameMember(body)
      const identifier = yield* identifierMember(body)
      const clientToken = yield* clientTokenMember(body)
      return yield* started(cloud.delete({ typeName, identifier, clientToken, region }))
    }
    case "GetResource": {
      const typeName = yield* typeNameMember(body)
      const identifier = yield* identifierMember(body)
      const resource = yield* cloud.get({ typeName, identifier, region }).pipe(Effect.mapError(fromDomain))
      return { TypeName: typeName, ResourceDescription: descriptionWire(resource) }
    }
    case "ListResources": {
      const typeName = yield* typeNameMember(body)
      const nextToken = yield* optionalString(body, "NextToken")
      const maxResults = yield* maxResultsOf(body)
      const modelText = yield* optionalString(body, "ResourceModel")
      const resourceModel = modelText === undefined ? undefined : yield* jsonObjectField(modelText, "ResourceModel")
      const page = yield* cloud
        .list({ typeName, region, nextToken, maxResults, resourceModel })
        .pipe(Effect.mapError(fromDomain))
      return {
        TypeName: page.typeName,
        ResourceDescriptions: page.resources.map(descriptionWire),
        ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {})
      }
    }
    case "GetResourceRequestStatus": {
      const requestToken = yield* requestTokenMember(body)
      const event = yield* cloud.requestStatus({ requestToken, region }).pipe(Effect.mapError(fromDomain))
      return { ProgressEvent: progressEventWire(event) }
    }
    case "CancelResourceRequest": {
      const requestToken = yield* requestTokenMember(body)
      // CancelResourceRequest models ConcurrentModificationException (not ConcurrentOperationException) for a request
      // that can no longer be cancelled.
      const event = yield* cloud
        .cancel({ requestToken, region })
        .pipe(
          Effect.mapError((error) =>
            error._tag === "ConcurrentOperation"
              ? clientError("ConcurrentModificationException", error.message)
              : fromDomain(error)
          )
        )
      return { ProgressEvent: progressEventWire(event) }
    }
    case "ListResourceRequests": {
      const maxResults = (yield* maxResultsOf(body)) ?? 20
      const nextToken = yield* optionalString(body, "NextToken")
      const offset = nextToken === undefined ? 0 : yield* decodeOffset(nextToken)
      const rawFilter = body["ResourceRequestStatusFilter"]
      const filter: Body =
        typeof rawFilter === "object" && rawFilter !== null && !Array.isArray(rawFilter) ? (rawFilter as Body) : {}
      const operations = stringList(filter["Operations"])
      const statuses = stringList(filter["OperationStatuses"])
      const events: Array<ProgressEvent> = []
      for (const request of registry.requestsIn(region)) {
        const event = yield* cloud
          .requestStatus({ requestToken: RequestToken.make(request.requestToken), region })
          .pipe(Effect.option)
        if (event._tag === "None") continue
        if (operations && operations.length > 0 && !operations.includes(event.value.operation)) continue
        if (statuses && statuses.length > 0 && !statuses.includes(event.value.status)) continue
        events.push(event.value)
      }
      const page = events.slice(offset, offset + maxResults)
      return {
        ResourceRequestStatusSummaries: page.map(progressEventWire),
        ...(offset + maxResults < events.length ? { NextToken: encodeOffset(offset + maxResults) } : {})
      }
    }
    default:
      return yield* Effect.fail(
        clientError(
          "UnknownOperationException",
          `CloudApiService.${operation} is not an operation this sandbox answers.`
        )
      )
  }
})
