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
  const hasMetadata = e.$metadata !== undefined || fault !== undefined
  if (hasMetadata || Object.hasOwn(errorTable, code)) return new AwsServiceError({ code, message, status, fault })
  return new AwsUnexpectedError({ message: message || name })
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
    Effect.catchTags({
      AwsServiceError: (e) => Effect.fail(narrow(allowed, fromServiceError(e, ctx), e.code, ctx)),
      AwsNetworkError: (e) => Effect.fail(narrow(allowed, fromNetworkError(e, ctx), e.code, ctx)),
      AwsCredentialsError: (e) => Effect.fail(narrow(allowed, fromCredentialsError(e, ctx), "Credentials", ctx)),
      AwsUnexpectedError: (e) => Effect.fail(narrow(allowed, fromUnexpected(e, ctx), "Unexpected", ctx))
    }),
    Effect.withSpan(`aws.${ctx.service}.${ctx.operation}`, { attributes: { region: ctx.region } })
  )
