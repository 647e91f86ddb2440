import { Context, type Effect, type Option } from "effect"
import type { StoreUnavailable } from "../model/Errors.js"
import type { StoredToken } from "../model/Token.js"

/**
 * Where workflow tokens are kept, server-side, so a token is an opaque reference the model cannot forge or alter. A
 * record stays readable until room is needed, also past its `expiresAt`, so the workflow can tell an expired token
 * from a forged one; a store that cannot answer fails with `StoreUnavailable` and the workflow stops.
 */
export class ApprovalStore extends Context.Service<
  ApprovalStore,
  {
    /** Keep a record under an id (replacing any record there); a bounded store may evict others to make room. */
    readonly put: (id: string, record: StoredToken) => Effect.Effect<void, StoreUnavailable>
    readonly get: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreUnavailable>
    /** Remove and return a record atomically: of two concurrent takes of one id, exactly one gets `Some`. */
    readonly take: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreUnavailable>
    readonly size: Effect.Effect<number, StoreUnavailable>
  }
>()("@ccapi/core/ports/ApprovalStore") {}
