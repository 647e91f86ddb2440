import { PendingApprovals, PendingApprovalsMemory, StoreUnavailable } from "@ccapi/core"
import { pendingApprovalsContract } from "@ccapi/testkit/contracts"
import { Effect, Layer } from "effect"

const down = () =>
  Effect.fail(
    new StoreUnavailable({ message: "The approval store is unreachable. Nothing was decided; try again shortly." })
  )

let last: PendingApprovals["Service"] | undefined

pendingApprovalsContract("core's in-memory store (PendingApprovalsMemory)", {
  layer: ({ capacity }) => Layer.sync(PendingApprovals, () => (last = PendingApprovalsMemory.make({ capacity }))),
  // One process's store, seen through a second handle (two sessions of one replica).
  sameStore: () => Layer.sync(PendingApprovals, () => last!),
  // The memory store cannot fail; a store that is down stands in for a shared one.
  unavailable: () =>
    Layer.succeed(
      PendingApprovals,
      PendingApprovals.of({
        open: down,
        get: down,
        claimOpening: down,
        decide: down,
        take: down,
        claimWebhook: down,
        releaseWebhook: down
      })
    )
})
