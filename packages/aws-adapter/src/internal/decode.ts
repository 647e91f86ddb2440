import { CloudUnavailable, isJsonObject, type JsonObject, ProgressEvent } from "@ccapi/core"
import type { ProgressEvent as SdkProgressEvent } from "@aws-sdk/client-cloudcontrol"
import { Effect, Schema } from "effect"
import type { CallContext } from "./errorMap.js"

/** An object without its `undefined` fields (exact optional properties). */
export const compact = <T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never

const malformed = (ctx: CallContext, what: string) =>
  new CloudUnavailable({
    service: ctx.service,
    message: `${ctx.service} ${ctx.operation} in ${ctx.region} returned ${what}. Retry; if it persists, check that the endpoint is a real ${ctx.service} endpoint.`
  })

/** A JSON object sent as a string by the API (`Properties`, `ResourceModel`, a schema). */
export const parseJsonObject = (
  text: string | undefined,
  ctx: CallContext,
  field: string
): Effect.Effect<JsonObject, CloudUnavailable> =>
  Effect.try({
    try: () => JSON.parse(text ?? "") as unknown,
    catch: () => malformed(ctx, `a ${field} that is not JSON`)
  }).pipe(
    Effect.filterOrFail(
      (value): value is JsonObject => isJsonObject(value),
      () => malformed(ctx, `a ${field} that is not a JSON object`)
    )
  )

/** A field the response must carry. */
export const required = <A>(
  value: A | undefined,
  ctx: CallContext,
  field: string
): Effect.Effect<A, CloudUnavailable> =>
  value === undefined || value === null ? Effect.fail(malformed(ctx, `no ${field}`)) : Effect.succeed(value)

/** Decode a domain value from a response, reporting a malformed response as `CloudUnavailable`. */
export const decodeResponse = <A>(schema: Schema.Decoder<A>, value: unknown, ctx: CallContext) =>
  Schema.decodeUnknownEffect(schema)(value).pipe(
    Effect.mapError((e) => malformed(ctx, `an unexpected response (${e.message})`))
  )

/** Cloud Control's `ProgressEvent` → the domain's: dates become epoch milliseconds, `ResourceModel` is parsed. */
export const toProgressEvent = Effect.fn("AwsCloudControl.toProgressEvent")(function* (
  event: SdkProgressEvent | undefined,
  ctx: CallContext
) {
  const ev = yield* required(event, ctx, "ProgressEvent")
  const resourceModel =
    ev.ResourceModel === undefined || ev.ResourceModel === ""
      ? undefined
      : yield* parseJsonObject(ev.ResourceModel, ctx, "ResourceModel")
  return yield* decodeResponse(
    ProgressEvent,
    compact({
      typeName: ev.TypeName ?? ctx.typeName,
      identifier: ev.Identifier === "" ? undefined : ev.Identifier,
      requestToken: ev.RequestToken,
      operation: ev.Operation,
      status: ev.OperationStatus,
      eventTime: ev.EventTime?.getTime(),
      resourceModel,
      statusMessage: ev.StatusMessage,
      errorCode: ev.ErrorCode,
      retryAfter: ev.RetryAfter?.getTime()
    }),
    ctx
  )
})
