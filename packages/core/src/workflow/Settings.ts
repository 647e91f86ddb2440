import { Context, type Duration, Effect, Layer, Ref } from "effect"
import type { StoreUnavailable } from "../model/Errors.js"
import type { Tag } from "../policy/DefaultTags.js"

/**
 * Who decides: `auto` — failed checks and deletes go to a person through the best channel, other changes too when the
 * client can show a form; `required` — every change goes to a person; `off` — only failed checks and deletes go to a
 * person; `model` — the model's own acceptance and delete confirmation decide (labelled as such), and a client's form is
 * still used when it has one.
 */
export type ApprovalMode = "auto" | "required" | "off" | "model"

/** The operator's settings for the workflow. Set at the edge from flags and environment; the model cannot change them. */
export class WorkflowSettings extends Context.Service<
  WorkflowSettings,
  {
    readonly readOnly: boolean
    readonly securityScanning: "enabled" | "disabled"
    /** Tags added to every taggable resource; empty when `DEFAULT_TAGS=disabled`. */
    readonly defaultTags: ReadonlyArray<Tag>
    /** Guardrail rule ids the operator switched off. */
    readonly disabledGuardrails: ReadonlySet<string>
    readonly approval: ApprovalMode
    /** Token lifetimes in milliseconds. */
    readonly tokenTtl: {
      readonly environment: number
      readonly credentials: number
      readonly workflow: number
    }
    /** Most deletes one session may make; undefined for no cap. */
    readonly deleteLimit: number | undefined
    /** How long a mutation waits for completion before returning its request token. */
    readonly mutationWait: Duration.Input
    /** How long the template step waits for the IaC Generator. */
    readonly templateWait: Duration.Input
    readonly listPageSize: { readonly default: number; readonly max: number }
  }
>()("@ccapi/core/WorkflowSettings") {}

/**
 * A session's delete slots, for the operator's delete limit: how many deletes the session made, one taken atomically
 * (of two concurrent reservations under a limit of one, exactly one gets it) and given back when nothing was sent.
 */
export interface DeleteSlots {
  readonly used: Effect.Effect<number, StoreUnavailable>
  /** Take one slot unless `limit` are taken (no limit: always); whether it was taken. */
  readonly reserve: (limit: number | undefined) => Effect.Effect<boolean, StoreUnavailable>
  /** Give one back (never below zero). */
  readonly release: Effect.Effect<void>
}

/** Delete slots in this process's memory: one session served by one process. */
export const memoryDeleteSlots: Effect.Effect<DeleteSlots> = Effect.map(Ref.make(0), (deletes) => ({
  used: Ref.get(deletes),
  reserve: (limit) => Ref.modify(deletes, (n) => (limit !== undefined && n >= limit ? [false, n] : [true, n + 1])),
  release: Ref.update(deletes, (n) => Math.max(0, n - 1))
}))

/**
 * Where the counters of a session live when several replicas serve one session (a fleet behind a load balancer): a
 * shared store's, by session id. Unset (the default), each session keeps its counters in memory.
 */
export const SharedSessionCounters = Context.Reference<{
  readonly deleteSlots: ((sessionId: string) => DeleteSlots) | undefined
}>("@ccapi/core/SharedSessionCounters", { defaultValue: () => ({ deleteSlots: undefined }) })

/** A resource this session created or updated (and has not deleted since), for exporting the session's changes as a template. */
export interface ChangedResource {
  readonly typeName: string
  readonly identifier: string
  readonly region: string
}

/** State that lives as long as one server session: its delete slots, and the resources it changed (in memory). */
export class SessionState extends Context.Service<
  SessionState,
  { readonly deletes: DeleteSlots; readonly changed: Ref.Ref<ReadonlyArray<ChangedResource>> }
>()("@ccapi/core/SessionState") {
  /** A session's state in memory. */
  static readonly layer = Layer.effect(
    SessionState,
    Effect.all({ deletes: memoryDeleteSlots, changed: Ref.make<ReadonlyArray<ChangedResource>>([]) })
  )
  /** The state of session `sessionId`: in the shared store when there is one (`SharedSessionCounters`), else in memory. */
  static readonly layerFor = (sessionId: string) =>
    Layer.effect(
      SessionState,
      Effect.gen(function* () {
        const shared = yield* SharedSessionCounters
        return {
          deletes: shared.deleteSlots !== undefined ? shared.deleteSlots(sessionId) : yield* memoryDeleteSlots,
          changed: yield* Ref.make<ReadonlyArray<ChangedResource>>([])
        }
      })
    )
}
