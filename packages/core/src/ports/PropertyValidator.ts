import { Context, type Effect } from "effect"
import type { Violation } from "../model/Errors.js"
import type { JsonObject } from "../model/Json.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"

/** Validate a resource's properties against its provider schema; every violation comes back with its JSON path. */
export class PropertyValidator extends Context.Service<
  PropertyValidator,
  {
    /**
     * `create`: a desired state — all `required` properties must be present.
     * `preview`: a resource after a patch — required properties are checked too, read-only ones are ignored.
     * Read-only, create-only and write-only semantics are the core's business, not the validator's.
     */
    readonly validate: (
      schema: ResourceSchema,
      properties: JsonObject,
      mode: "create" | "preview"
    ) => Effect.Effect<ReadonlyArray<Violation>>
  }
>()("@ccapi/core/ports/PropertyValidator") {}
