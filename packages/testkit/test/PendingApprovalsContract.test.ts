import { PendingApprovals, PendingApprovalsMemory } from "@ccapi/core"
import { pendingApprovalsContract, pendingApprovalsDown } from "@ccapi/testkit/contracts"
import { Layer } from "effect"

let last: PendingApprovals["Service"] | undefined

pendingApprovalsContract("core's in-memory store (PendingApprovalsMemory)", {
  layer: ({ capacity }) => Layer.sync(PendingApprovals, () => (last = PendingApprovalsMemory.make({ capacity }))),
  // One process's store, seen through a second handle (two sessions of one replica).
  sameStore: () => Layer.sync(PendingApprovals, () => last!),
  // The memory store cannot fail; a store that is down stands in for a shared one.
  unavailable: () => Layer.succeed(PendingApprovals, pendingApprovalsDown())
})
