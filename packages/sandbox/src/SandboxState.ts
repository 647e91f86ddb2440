import { Context, type Effect } from "effect"
import type { InvalidRequest, JsonObject } from "@ccapi/core"

/** The backing cloud's whole state as JSON, so the sandbox can keep it in a file across restarts. */
export class SandboxState extends Context.Service<
  SandboxState,
  {
    /** Everything the backing ports hold (resources, requests, templates), as a JSON-serialisable value. */
    readonly snapshot: Effect.Effect<unknown>
    /** Replace the backing ports' state with a snapshot taken earlier. */
    readonly restore: (snapshot: unknown) => Effect.Effect<void, InvalidRequest>
    /** Every live resource of a region as `[typeName, identifier, properties]`: what a resource scan finds. */
    readonly resources?: (region: string) => Effect.Effect<ReadonlyArray<readonly [string, string, JsonObject]>>
  }
>()("@ccapi/sandbox/SandboxState") {}
