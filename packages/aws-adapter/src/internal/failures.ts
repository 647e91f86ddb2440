import { Data } from "effect"

/*
 * What an AWS call can fail with, before it is mapped to a domain error (errorMap.ts). Adapter detail: never leaves
 * the adapter.
 */

/** AWS answered with an error code. */
export class AwsServiceError extends Data.TaggedError("AwsServiceError")<{
  readonly code: string
  readonly message: string
  readonly status: number | undefined
  readonly fault: "client" | "server" | undefined
}> {}

/** The endpoint could not be reached, or the call timed out or was aborted. */
export class AwsNetworkError extends Data.TaggedError("AwsNetworkError")<{
  readonly code: string
  readonly message: string
}> {}

/** The SDK's credential chain gave no usable credentials. */
export class AwsCredentialsError extends Data.TaggedError("AwsCredentialsError")<{
  readonly message: string
}> {}

/** Anything else: a malformed response, a bad endpoint URL, a bug in the SDK. */
export class AwsUnexpectedError extends Data.TaggedError("AwsUnexpectedError")<{
  readonly message: string
}> {}

export type AwsFailure = AwsServiceError | AwsNetworkError | AwsCredentialsError | AwsUnexpectedError
