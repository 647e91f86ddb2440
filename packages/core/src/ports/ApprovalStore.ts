import { Context, type Effect, type Option } from "effect"
import type { StoreUnavailable } from "../model/Errors.js"
import type { SpentToken, StoredToken, TokenRecord } from "../model/Token.js"

/**
 * Where workflow tokens are kept, server-side, so a token is an opaque reference the model cannot forge or alter. A
 * record stays readable until room is needed, also past its `expiresAt`, so the workflow can tell an expired token
 * from a forged one; a store that cannot answer fails with `StoreUnavailable` and the workflow stops. A bounded store
 * makes room fairly: a flood of one kind of token (or of tombstones) evicts only records of that kind.
 */
export class ApprovalStore extends Context.Service<
  ApprovalStore,
  {
    /** Keep a record under an id (replacing any record there); a bounded store may evict others to make room. */
    readonly put: (id: string, record: StoredToken) => Effect.Effect<void, StoreUnavailable>
    readonly get: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreUnavailable>
    /** Remove and return a record atomically: of two concurrent takes of one id, exactly one gets `Some`. */
    readonly take: (id: string) => Effect.Effect<Option.Option<StoredToken>, StoreUnavailable>
    /**
     * Spend a token atomically: when the record under `tombstone.id` is a live token of kind `tombstone.of`, replace it
     * with `tombstone` in one step and return the live record; otherwise change nothing and return `None`. Of
     * concurrent spends of one id exactly one gets `Some`; a failure leaves the live record in place (never neither).
     */
    readonly spend: (tombstone: SpentToken) => Effect.Effect<Option.Option<TokenRecord>, StoreUnavailable>
    readonly size: Effect.Effect<number, StoreUnavailable>
  }
>()("@ccapi/core/ports/ApprovalStore") {}
