import { Cause, Effect } from "effect"
import type { CloudControl, ResourceSchemas, TemplateGenerator } from "@ccapi/core"
import { type ApiError, clientError, serverError } from "./ApiError.js"
import { handleCloudControl } from "./CloudControlApi.js"
import type { Fault } from "./Faults.js"
import {
  CLOUDFORMATION_NAMESPACE,
  handleCloudFormation,
  handleSts,
  mutatingActions,
  parseForm,
  queryError,
  queryResponse,
  STS_NAMESPACE,
  stsActions
} from "./QueryApi.js"
import type { Registry } from "./Registry.js"
import { header, signingScope, type WireRequest, type WireResponse } from "./wire.js"

const JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
const XML_CONTENT_TYPE = "text/xml"
const TARGET_PREFIX = "CloudApiService."

const cloudControlMutations: ReadonlySet<string> = new Set([
  "CreateResource",
  "UpdateResource",
  "DeleteResource",
  "CancelResourceRequest"
])

/** What one request was and how it went, for the caller's bookkeeping (state saving, logs). */
export interface Handled {
  readonly response: WireResponse
  readonly operation: string
  readonly mutated: boolean
}

const jsonError = (error: ApiError, requestId: string): WireResponse => ({
  status: error.status,
  headers: {
    "content-type": JSON_CONTENT_TYPE,
    "x-amzn-requestid": requestId,
    "x-amzn-errortype": error.code
  },
  body: JSON.stringify({ __type: `com.amazonaws.cloudapiservice#${error.code}`, Message: error.message })
})

const xmlError = (error: ApiError, namespace: string, requestId: string): WireResponse => ({
  status: error.status,
  headers: { "content-type": XML_CONTENT_TYPE, "x-amzn-requestid": requestId },
  body: queryError(error, namespace, requestId)
})

type Protocol =
  | { readonly kind: "json"; readonly operation: string }
  | {
      readonly kind: "query"
      readonly service: "cloudformation" | "sts"
      readonly action: string
      readonly params: ReadonlyMap<string, string>
    }
  | { readonly kind: "unknown" }

const protocolOf = (request: WireRequest): Protocol => {
  const target = header(request, "x-amz-target")
  if (target !== undefined) {
    return target.startsWith(TARGET_PREFIX)
      ? { kind: "json", operation: target.slice(TARGET_PREFIX.length) }
      : { kind: "unknown" }
  }
  const query = request.path.includes("?") ? request.path.slice(request.path.indexOf("?") + 1) : ""
  const params = new Map([...parseForm(query), ...parseForm(request.body)])
  const action = params.get("Action")
  if (action === undefined) return { kind: "unknown" }
  const scope = signingScope(request)
  const sts = (stsActions as ReadonlyArray<string>).includes(action) || scope.service === "sts"
  return { kind: "query", service: sts ? "sts" : "cloudformation", action, params }
}

/** Answer one request in the protocol it came in, with the ports in context; never fails. */
export const dispatch = (
  request: WireRequest,
  registry: Registry,
  fault: Fault
): Effect.Effect<Handled, never, CloudControl | ResourceSchemas | TemplateGenerator> => {
  const { region } = signingScope(request)
  const protocol = protocolOf(request)
  const requestId = request.requestId
  switch (protocol.kind) {
    case "json": {
      const operation = protocol.operation
      const injected =
        fault === "throttle"
          ? clientError("ThrottlingException", "Rate exceeded (sandbox fault injection); retry with backoff.")
          : fault === "error"
            ? serverError("ServiceInternalErrorException", "Internal error (sandbox fault injection); retry.")
            : undefined
      const run = Effect.gen(function* () {
        if (injected !== undefined) return yield* Effect.fail(injected)
        let body: unknown
        try {
          body = request.body.trim() === "" ? {} : JSON.parse(request.body)
        } catch {
          return yield* Effect.fail(clientError("SerializationException", "The request body is not valid JSON."))
        }
        if (typeof body !== "object" || body === null || Array.isArray(body))
          return yield* Effect.fail(clientError("SerializationException", "The request body must be a JSON object."))
        return yield* handleCloudControl(operation, body as Record<string, unknown>, region, registry)
      })
      return run.pipe(
        Effect.map(
          (output): Handled => ({
            operation,
            mutated: cloudControlMutations.has(operation),
            response: {
              status: 200,
              headers: { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": requestId },
              body: JSON.stringify(output)
            }
          })
        ),
        Effect.catchTag("ApiError", (error) =>
          Effect.succeed<Handled>({ operation, mutated: false, response: jsonError(error, requestId) })
        ),
        withDefectsAs((error) => jsonError(error, requestId), operation)
      )
    }
    case "query": {
      const { action, params, service } = protocol
      const namespace = service === "sts" ? STS_NAMESPACE : CLOUDFORMATION_NAMESPACE
      const injected =
        fault === "throttle"
          ? clientError("Throttling", "Rate exceeded (sandbox fault injection); retry with backoff.")
          : fault === "error"
            ? serverError("InternalFailure", "Internal error (sandbox fault injection); retry.")
            : undefined
      const run =
        injected !== undefined
          ? Effect.fail(injected)
          : service === "sts"
            ? handleSts(action)
            : handleCloudFormation(action, params, region, registry)
      return run.pipe(
        Effect.map(
          (result): Handled => ({
            operation: action,
            mutated: service === "cloudformation" && mutatingActions.has(action),
            response: {
              status: 200,
              headers: { "content-type": XML_CONTENT_TYPE, "x-amzn-requestid": requestId },
              body: queryResponse(action, namespace, result, requestId)
            }
          })
        ),
        Effect.catchTag("ApiError", (error) =>
          Effect.succeed<Handled>({
            operation: action,
            mutated: false,
            response: xmlError(error, namespace, requestId)
          })
        ),
        withDefectsAs((error) => xmlError(error, namespace, requestId), action)
      )
    }
    case "unknown":
      return Effect.succeed({
        operation: "unknown",
        mutated: false,
        response: jsonError(
          clientError(
            "UnknownOperationException",
            "This endpoint answers Cloud Control (X-Amz-Target: CloudApiService.*), CloudFormation and STS query requests (Action=…).",
            404
          ),
          requestId
        )
      })
  }
}

/** A defect in a handler is logged and answered as the protocol's internal error, never a dropped connection. */
const withDefectsAs =
  (render: (error: ApiError) => WireResponse, operation: string) =>
  <R>(self: Effect.Effect<Handled, never, R>): Effect.Effect<Handled, never, R> =>
    self.pipe(
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.failCause(cause)
          : Effect.logError(`sandbox: ${operation} failed with a defect`, cause).pipe(
              Effect.as<Handled>({
                operation,
                mutated: false,
                response: render(serverError("InternalFailure", "The sandbox hit an internal error; see its log."))
              })
            )
      )
    )
