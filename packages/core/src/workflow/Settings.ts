import { Context, type Duration, Effect, Layer, Ref } from "effect"
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

/** A resource this session created or updated (and has not deleted since), for exporting the session's changes as a template. */
export interface ChangedResource {
  readonly typeName: string
  readonly identifier: string
  readonly region: string
}

/** State that lives as long as one server session: the deletes made so far, and the resources it changed. */
export class SessionState extends Context.Service<
  SessionState,
  { readonly deletes: Ref.Ref<number>; readonly changed: Ref.Ref<ReadonlyArray<ChangedResource>> }
>()("@ccapi/core/SessionState") {
  static readonly layer = Layer.effect(
    SessionState,
    Effect.all({ deletes: Ref.make(0), changed: Ref.make<ReadonlyArray<ChangedResource>>([]) })
  )
}
