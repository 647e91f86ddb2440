import { ApprovalStore, ApprovalStoreMemory, StoreUnavailable } from "@ccapi/core"
import { approvalStoreContract } from "@ccapi/testkit/contracts"
import { Effect, Layer } from "effect"

const down = Effect.fail(
  new StoreUnavailable({ message: "The token store is unreachable. Nothing was changed; try again shortly." })
)

approvalStoreContract("core's in-memory store (ApprovalStoreMemory)", {
  layer: ({ capacity }) => ApprovalStoreMemory.layerMemory({ capacity }),
  // The memory store cannot fail; a store that is down stands in for a shared one, for the workflow's side.
  unavailable: () =>
    Layer.succeed(
      ApprovalStore,
      ApprovalStore.of({ put: () => down, get: () => down, take: () => down, spend: () => down, size: down })
    )
})
