import { Data } from "effect"

/** An error as a service answers it on the wire: its AWS error code, HTTP status and message. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly code: string
  readonly status: number
  readonly message: string
  /** Query protocol only: who is at fault. */
  readonly fault?: "Sender" | "Receiver"
}> {}

export const clientError = (code: string, message: string, status = 400): ApiError =>
  new ApiError({ code, status, message, fault: "Sender" })

export const serverError = (code: string, message: string, status = 500): ApiError =>
  new ApiError({ code, status, message, fault: "Receiver" })

/** AWS's wording for a member that fails a constraint. */
export const validationMessage = (value: unknown, member: string, constraint: string): string =>
  `1 validation error detected: Value ${value === undefined ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`
