import { Context, type Effect } from "effect"
import type {
  AccessDenied,
  ClientTokenConflict,
  CloudError,
  ConcurrentOperation,
  InvalidRequest,
  NotUpdatable,
  OutcomeUnknown,
  RequestNotFound,
  ResourceAlreadyExists,
  ResourceNotFound,
  TypeNotFound,
  UnsupportedAction
} from "../model/Errors.js"
import type { ClientToken, Identifier, Region, RequestToken, TypeName } from "../model/Ids.js"
import type { JsonObject } from "../model/Json.js"
import type { PatchDocument, ProgressEvent, ResourceDescription, ResourcePage } from "../model/Cloud.js"

/** Errors a Cloud Control mutation can be refused with before it starts. */
export type MutationError =
  | CloudError
  | TypeNotFound
  | InvalidRequest
  | UnsupportedAction
  | ConcurrentOperation
  | ClientTokenConflict
  | AccessDenied
  /** Sent, but the answer was lost or unreadable: the change may have been applied. */
  | OutcomeUnknown

/** The AWS Cloud Control API: create, read, update, delete and list any resource; follow its requests. */
export class CloudControl extends Context.Service<
  CloudControl,
  {
    readonly create: (input: {
      readonly typeName: TypeName
      readonly desiredState: JsonObject
      readonly clientToken: ClientToken
      readonly region: Region
    }) => Effect.Effect<ProgressEvent, MutationError | ResourceAlreadyExists>
    readonly update: (input: {
      readonly typeName: TypeName
      readonly identifier: Identifier
      readonly patch: PatchDocument
      readonly clientToken: ClientToken
      readonly region: Region
    }) => Effect.Effect<ProgressEvent, MutationError | ResourceNotFound | NotUpdatable>
    readonly delete: (input: {
      readonly typeName: TypeName
      readonly identifier: Identifier
      readonly clientToken: ClientToken
      readonly region: Region
    }) => Effect.Effect<ProgressEvent, MutationError | ResourceNotFound>
    readonly get: (input: {
      readonly typeName: TypeName
      readonly identifier: Identifier
      readonly region: Region
    }) => Effect.Effect<
      ResourceDescription,
      CloudError | TypeNotFound | ResourceNotFound | InvalidRequest | UnsupportedAction
    >
    readonly list: (input: {
      readonly typeName: TypeName
      readonly region: Region
      readonly nextToken?: string | undefined
      readonly maxResults?: number | undefined
      /** Parent properties for types listed within a parent (e.g. `{ "RestApiId": "abc" }`). */
      readonly resourceModel?: JsonObject | undefined
    }) => Effect.Effect<ResourcePage, CloudError | TypeNotFound | InvalidRequest | UnsupportedAction>
    readonly requestStatus: (input: {
      readonly requestToken: RequestToken
      readonly region: Region
    }) => Effect.Effect<ProgressEvent, CloudError | RequestNotFound>
    readonly cancel: (input: {
      readonly requestToken: RequestToken
      readonly region: Region
    }) => Effect.Effect<ProgressEvent, CloudError | RequestNotFound | ConcurrentOperation>
  }
>()("@ccapi/core/ports/CloudControl") {}
