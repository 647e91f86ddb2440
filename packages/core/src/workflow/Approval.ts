import { Effect } from "effect"
import { ApprovalUnavailable } from "../model/Errors.js"
import { Approver } from "../ports/Approver.js"
import { WorkflowSettings } from "./Settings.js"

/**
 * With `CCAPI_APPROVAL=required` every change needs a client that can ask its user. Checked at the first step of a
 * change (planning a create or update, explaining a delete) so the refusal comes before the work, and again right
 * before the mutation.
 */
export const requireApprovalChannel = Effect.fn("Workflow.requireApprovalChannel")(function* () {
  const settings = yield* WorkflowSettings
  const approver = yield* Approver
  if (settings.approval === "required" && !approver.available)
    return yield* new ApprovalUnavailable({
      message:
        "The operator requires a human to approve every change (CCAPI_APPROVAL=required), and this MCP client cannot ask its user (it declared no elicitation support), so no change can be made from it. Use a client that supports elicitation, or ask the operator to set CCAPI_APPROVAL=auto (ask when the client can) or off."
    })
})
