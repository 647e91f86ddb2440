import { Context, type Effect } from "effect"
import type {
  CloudError,
  InvalidInput,
  InvalidRequest,
  ResourceNotFound,
  TemplateGenerationFailed,
  TypeNotFound,
  UnsupportedAction
} from "../model/Errors.js"
import type { Region } from "../model/Ids.js"
import type {
  DeletionPolicy,
  GeneratedTemplateState,
  TemplateFormat,
  TemplateResource,
  UpdateReplacePolicy
} from "../model/Cloud.js"

/**
 * Makes a template from resources that already exist: CloudFormation's IaC Generator, or (read-only mode) the
 * server's own reads of the live resources.
 */
export class TemplateGenerator extends Context.Service<
  TemplateGenerator,
  {
    /** What builds the templates: the IaC Generator (creates a generated template in the account), or reads (writes nothing). */
    readonly source: "iac-generator" | "reads"
    readonly start: (input: {
      readonly region: Region
      readonly templateName: string
      readonly resources: ReadonlyArray<TemplateResource>
      readonly deletionPolicy: DeletionPolicy
      readonly updateReplacePolicy: UpdateReplacePolicy
    }) => Effect.Effect<
      { readonly templateId: string },
      | CloudError
      | InvalidRequest
      | InvalidInput
      | TypeNotFound
      | ResourceNotFound
      | UnsupportedAction
      | TemplateGenerationFailed
    >
    readonly status: (input: {
      readonly region: Region
      readonly templateId: string
    }) => Effect.Effect<GeneratedTemplateState, CloudError | ResourceNotFound>
    readonly fetch: (input: {
      readonly region: Region
      readonly templateId: string
      readonly format: TemplateFormat
    }) => Effect.Effect<{ readonly body: string }, CloudError | ResourceNotFound | TemplateGenerationFailed>
    readonly remove: (input: {
      readonly region: Region
      readonly templateId: string
    }) => Effect.Effect<void, CloudError | ResourceNotFound>
  }
>()("@ccapi/core/ports/TemplateGenerator") {}
