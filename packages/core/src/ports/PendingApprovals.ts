import { Context, type Effect, type Option } from "effect"
import type { StoreUnavailable } from "../model/Errors.js"
import type { ApprovalDecision, ApprovalRequest } from "./Approver.js"

/**
 * One request for a person's decision, as the approval channels that answer later (ccapi's approval page, the
 * operator's webhook) keep it: what the person is shown, what the decision is bound to, and — once made — the decision.
 * The secrets (`id`, `csrf`, `linkSecret`) are minted by the caller from a CSPRNG.
 */
export interface PendingApproval {
  /** The link's unguessable id (256 random bits). */
  readonly id: string
  /**
   * What the decision is bound to, as one opaque digest: who may use it (the MCP session, or in remote mode the
   * authenticated subject), the plan hash, the failed checks, the reasons and the operation. `open` reuses the live
   * approval of a key rather than minting a second link for the same question.
   */
  readonly key: string
  /** The authenticated subject (OAuth `sub`) whose call asked, in remote mode; the journal records it. */
  readonly subject: string | undefined
  readonly request: ApprovalRequest
  /** The page's CSRF token: set as a cookie on the first opening, and required back with the decision. */
  readonly csrf: string
  /** The key the webhook's approve / reject links are signed with (per approval, so every replica can check them). */
  readonly linkSecret: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds: no decision after this. */
  readonly expiresAt: number
  /** The page was opened once: only the browser holding its cookie may see it again. */
  readonly opened: boolean
  readonly decision: ApprovalDecision | undefined
  /** The decision was used by a mutation (or refused one): it is never used again. */
  readonly consumed: boolean
  /** The operator's webhook was sent this approval (claimed, so that replicas send it once). */
  readonly webhookSent: boolean
}

/** What `decide` did: recorded, or why not. */
export type DecideOutcome = "decided" | "unknown" | "expired" | "already_decided"

/**
 * Where approvals wait for a person, shared by every replica that serves the same users: the page's GET, its POST and
 * the MCP call that waits for the decision may each land on a different replica. Every change of state is atomic —
 * of concurrent openings, decisions, takes or webhook claims exactly one wins — and a store that cannot answer fails
 * with `StoreUnavailable`, which the channels turn into a refusal: never an approval. Times are passed in (epoch
 * milliseconds), so that the caller's clock decides expiry.
 */
export class PendingApprovals extends Context.Service<
  PendingApprovals,
  {
    /** The live approval of `fresh.key` (undecided or decided but unused, unexpired), or else `fresh`, now kept. */
    readonly open: (fresh: PendingApproval, now: number) => Effect.Effect<PendingApproval, StoreUnavailable>
    readonly get: (id: string) => Effect.Effect<Option.Option<PendingApproval>, StoreUnavailable>
    /** The page's first opening: true for exactly one caller, while the approval is undecided and unexpired. */
    readonly claimOpening: (id: string, now: number) => Effect.Effect<boolean, StoreUnavailable>
    /** Record a decision, once: a second decision, an expired, used or unknown approval are refused. */
    readonly decide: (
      id: string,
      decision: ApprovalDecision,
      now: number
    ) => Effect.Effect<DecideOutcome, StoreUnavailable>
    /** The decision, if made and unused — and from now on used: of concurrent takes exactly one gets `Some`. */
    readonly take: (id: string) => Effect.Effect<Option.Option<ApprovalDecision>, StoreUnavailable>
    /** Claim sending the webhook: true for exactly one caller until `releaseWebhook` (a failed send) gives it back. */
    readonly claimWebhook: (id: string) => Effect.Effect<boolean, StoreUnavailable>
    readonly releaseWebhook: (id: string) => Effect.Effect<void, StoreUnavailable>
  }
>()("@ccapi/core/ports/PendingApprovals") {}
