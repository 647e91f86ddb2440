import { Context, type Effect } from "effect"
import type { CloudError, TypeNotFound } from "../model/Errors.js"
import type { Region, TypeName } from "../model/Ids.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"

/** The provider schema of a resource type, parsed for the workflow's needs. */
export class ResourceSchemas extends Context.Service<
  ResourceSchemas,
  {
    readonly describe: (typeName: TypeName, region: Region) => Effect.Effect<ResourceSchema, TypeNotFound | CloudError>
  }
>()("@ccapi/core/ports/ResourceSchemas") {}
