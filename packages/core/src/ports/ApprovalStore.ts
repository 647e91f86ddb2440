import { Context, type Effect, type Option } from "effect"
import type { TokenRecord } from "../WorkflowTokens.js"

/** Where workflow tokens are kept, server-side, so a token is an opaque reference the model cannot forge or alter. */
export class ApprovalStore extends Context.Service<
  ApprovalStore,
  {
    /** Keep a record under an id (replacing any record there); a bounded store may evict others to make room. */
    readonly put: (id: string, record: TokenRecord) => Effect.Effect<void>
    readonly get: (id: string) => Effect.Effect<Option.Option<TokenRecord>>
    /** Remove and return a record atomically: of two concurrent takes of one id, exactly one gets `Some`. */
    readonly take: (id: string) => Effect.Effect<Option.Option<TokenRecord>>
    readonly size: Effect.Effect<number>
  }
>()("@ccapi/core/ports/ApprovalStore") {}
