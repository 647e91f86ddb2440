import { Context, type Effect } from "effect"
import type { CloudError, InvalidRequest, ResourceNotFound, TemplateGenerationFailed } from "../Errors.js"
import type { Region } from "../model/Ids.js"
import type {
  DeletionPolicy,
  GeneratedTemplateState,
  TemplateFormat,
  TemplateResource,
  UpdateReplacePolicy
} from "../model/Cloud.js"

/** CloudFormation's IaC Generator: make a template from resources that already exist. */
export class TemplateGenerator extends Context.Service<
  TemplateGenerator,
  {
    readonly start: (input: {
      readonly region: Region
      readonly templateName: string
      readonly resources: ReadonlyArray<TemplateResource>
      readonly deletionPolicy: DeletionPolicy
      readonly updateReplacePolicy: UpdateReplacePolicy
    }) => Effect.Effect<{ readonly templateId: string }, CloudError | InvalidRequest | TemplateGenerationFailed>
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
