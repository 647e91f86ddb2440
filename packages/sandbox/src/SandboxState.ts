import { Context, type Effect } from "effect"
import type { InvalidRequest } from "@ccapi/core"

/** The backing cloud's whole state as JSON, so the sandbox can keep it in a file across restarts. */
export class SandboxState extends Context.Service<
  SandboxState,
  {
    /** Everything the backing ports hold (resources, requests, templates), as a JSON-serialisable value. */
    readonly snapshot: Effect.Effect<unknown>
    /** Replace the backing ports' state with a snapshot taken earlier. */
    readonly restore: (snapshot: unknown) => Effect.Effect<void, InvalidRequest>
  }
>()("@ccapi/sandbox/SandboxState") {}
