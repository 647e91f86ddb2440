import { OutcomeUnknown } from "@ccapi/core"
import { Effect } from "effect"
import {
  type CallContext,
  type DomainTag,
  errorTable,
  fromCredentialsError,
  fromNetworkError,
  fromServiceError,
  fromUnexpected,
  narrow,
  type Narrowed
} from "./errorMap.js"
import {
  type AwsFailure,
  AwsCredentialsError,
  AwsNetworkError,
  AwsServiceError,
  AwsUnexpectedError
} from "./failures.js"

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET"
])
const networkNames = new Set(["TimeoutError", "RequestTimeout", "NetworkingError", "AbortError"])
const credentialNames = new Set(["CredentialsProviderError", "ProviderError", "TokenProviderError"])

interface SdkErrorShape {
  readonly name?: unknown
  readonly code?: unknown
  readonly Code?: unknown
  readonly message?: unknown
  readonly errors?: unknown
  readonly $fault?: unknown
  readonly $metadata?: { readonly httpStatusCode?: unknown }
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined)

/** Sort whatever the SDK threw into one of the adapter's failures. */
export const classify = (thrown: unknown): AwsFailure => {
  if (typeof thrown !== "object" || thrown === null) return new AwsUnexpectedError({ message: String(thrown) })
  const e = thrown as SdkErrorShape
  const name = str(e.name) ?? "Error"
  const message = str(e.message) ?? ""
  const nested = Array.isArray(e.errors) ? (e.errors[0] as SdkErrorShape | undefined) : undefined
  const sysCode = str(e.code) ?? str(nested?.code)
  if (sysCode !== undefined && networkCodes.has(sysCode))
    return new AwsNetworkError({ code: sysCode, message: message || (str(nested?.message) ?? sysCode) })
  if (networkNames.has(name)) return new AwsNetworkError({ code: name, message })
  if (credentialNames.has(name)) return new AwsCredentialsError({ message })
  if (/could not load credentials/i.test(message)) return new AwsCredentialsError({ message })
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined
  const fault = e.$fault === "client" || e.$fault === "server" ? e.$fault : undefined
  const code = str(e.Code) ?? name
  // A 2xx answer the SDK could not read (a body that is not JSON, a truncated one): malformed, not an AWS refusal.
  if (status !== undefined && status >= 200 && status < 300)
    return new AwsUnexpectedError({ message: `an answer that could not be read (HTTP ${status}: ${message || name})` })
  const hasMetadata = e.$metadata !== undefined || fault !== undefined
  if (hasMetadata || Object.hasOwn(errorTable, code)) return new AwsServiceError({ code, message, status, fault })
  return new AwsUnexpectedError({ message: message || name })
}

/** An adapter failure as the domain error of an operation: those it declares in `allowed`, plus `CloudError`. */
const toDomain =
  <T extends DomainTag>(ctx: CallContext, allowed: ReadonlyArray<T>) =>
  (failure: AwsFailure): Narrowed<T> => {
    switch (failure._tag) {
      case "AwsServiceError":
        return narrow(allowed, fromServiceError(failure, ctx), failure.code, ctx)
      case "AwsNetworkError":
        return narrow(allowed, fromNetworkError(failure, ctx), failure.code, ctx)
      case "AwsCredentialsError":
        return narrow(allowed, fromCredentialsError(failure, ctx), "Credentials", ctx)
      case "AwsUnexpectedError":
        return narrow(allowed, fromUnexpected(failure, ctx), "Unexpected", ctx)
    }
  }

/**
 * The one way the adapter calls AWS: runs `call` with the fiber's abort signal (interruption cancels the HTTP
 * request) and maps every failure to a domain error — those the operation declares in `allowed`, plus `CloudError`.
 */
export const tryAws = <A, T extends DomainTag = never>(
  ctx: CallContext,
  allowed: ReadonlyArray<T>,
  call: (options: { readonly abortSignal: AbortSignal }) => PromiseLike<A>
): Effect.Effect<A, Narrowed<T>> =>
  Effect.tryPromise({ try: (signal) => call({ abortSignal: signal }), catch: classify }).pipe(
    Effect.mapError(toDomain(ctx, allowed)),
    Effect.withSpan(`aws.${ctx.service}.${ctx.operation}`, { attributes: { region: ctx.region } })
  )

/** Network failures that happen before a request leaves: it was certainly not received. */
const notSentCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "UND_ERR_CONNECT_TIMEOUT"
])

/** Whether a failure of a sent mutation leaves its outcome unknown: no answer, an unreadable one, or a 5xx. */
export const isAmbiguous = (failure: AwsFailure): boolean => {
  switch (failure._tag) {
    case "AwsNetworkError":
      return !notSentCodes.has(failure.code)
    case "AwsUnexpectedError":
      return true
    case "AwsServiceError":
      return failure.status !== undefined && failure.status >= 500
    case "AwsCredentialsError":
      return false
  }
}

/** What a mutation was, for the `OutcomeUnknown` its lost answer becomes. */
export interface MutationTarget {
  readonly operation: "create" | "update" | "delete"
  readonly typeName: string
  readonly identifier?: string | undefined
  readonly clientToken: string
}

/**
 * `tryAws` for a Cloud Control mutation: a failure after which the request may have been applied — the connection
 * dropped or timed out after sending, an answer that cannot be read, a 5xx after the SDK's retries — is
 * `OutcomeUnknown` (with the ClientToken), never a refusal; failures that prove nothing was taken keep their errors.
 */
export const tryMutation = <A, T extends DomainTag = never>(
  ctx: CallContext,
  target: MutationTarget,
  allowed: ReadonlyArray<T>,
  call: (options: { readonly abortSignal: AbortSignal }) => PromiseLike<A>
): Effect.Effect<A, Narrowed<T> | OutcomeUnknown> =>
  Effect.tryPromise({ try: (signal) => call({ abortSignal: signal }), catch: classify }).pipe(
    Effect.mapError((failure) =>
      isAmbiguous(failure) ? outcomeUnknown(ctx, target, failure.message) : toDomain(ctx, allowed)(failure)
    ),
    Effect.withSpan(`aws.${ctx.service}.${ctx.operation}`, { attributes: { region: ctx.region } })
  )

/** The `OutcomeUnknown` of a sent mutation (core rewords it for the model with what to do next). */
export const outcomeUnknown = (ctx: CallContext, target: MutationTarget, detail: string) =>
  new OutcomeUnknown({
    operation: target.operation,
    typeName: target.typeName,
    ...(target.identifier !== undefined ? { identifier: target.identifier } : {}),
    clientToken: target.clientToken,
    message: `${ctx.service} ${ctx.operation} in ${ctx.region} was sent, but its answer was lost or unreadable (${detail}); the change may have been applied.`
  })
