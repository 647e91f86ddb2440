import { Schema } from "effect"
import {
  DeletionPolicy,
  PatchDocument,
  TemplateOutputFormat,
  TemplateResource,
  UpdateReplacePolicy
} from "../model/Cloud.js"
import {
  CredentialsTokenId,
  EnvironmentTokenId,
  ExplainedTokenId,
  GeneratedCodeTokenId,
  Identifier,
  Region,
  RequestToken,
  SecurityScanTokenId,
  TypeName
} from "../model/Ids.js"
import { JsonObject } from "../model/Json.js"

/*
 * What each use-case is asked to do, already decoded: branded ids, JSON values, booleans. The edge (the MCP tools)
 * decodes its arguments into these and reports what it cannot decode; the use-cases trust them. An absent `region`
 * means "the environment's region".
 */

/** Step 2: who the server acts as, proven by the environment token of step 1. */
export const SessionInfoCommand = Schema.Struct({ environmentToken: EnvironmentTokenId })
export type SessionInfoCommand = typeof SessionInfoCommand.Type

/** Step 3: plan a create (`properties`) or an update (`identifier` and one of `properties` or `patchDocument`). */
export const GenerateCodeCommand = Schema.Struct({
  credentialsToken: CredentialsTokenId,
  typeName: TypeName,
  region: Schema.optional(Region),
  properties: Schema.optional(JsonObject),
  identifier: Schema.optional(Identifier),
  patchDocument: Schema.optional(PatchDocument)
})
export type GenerateCodeCommand = typeof GenerateCodeCommand.Type

/** Step 4 of a create or update: explain the plan made under a generated code token. */
export const ExplainPlan = Schema.TaggedStruct("ExplainPlan", { generatedCodeToken: GeneratedCodeTokenId })
/** Step 4 of a delete: explain deleting a live resource. */
export const ExplainDelete = Schema.TaggedStruct("ExplainDelete", {
  typeName: TypeName,
  identifier: Identifier,
  region: Schema.optional(Region)
})
/** Describe any data; authorizes nothing. */
export const DescribeContent = Schema.TaggedStruct("DescribeContent", { content: Schema.Unknown })
export const ExplainCommand = Schema.Union([ExplainPlan, ExplainDelete, DescribeContent])
export type ExplainCommand = typeof ExplainCommand.Type

/** Step 5: scan the template of an explained plan. */
export const RunScanCommand = Schema.Struct({ explainedToken: ExplainedTokenId })
export type RunScanCommand = typeof RunScanCommand.Type

const mutationFields = {
  typeName: TypeName,
  credentialsToken: CredentialsTokenId,
  explainedToken: ExplainedTokenId,
  region: Schema.optional(Region)
}

const scannedFields = {
  securityScanToken: Schema.optional(SecurityScanTokenId),
  skipSecurityCheck: Schema.Boolean,
  acceptFindings: Schema.Array(Schema.String)
}

/** Step 6: create the resource of an explained (and scanned) plan. */
export const CreateResourceCommand = Schema.Struct({
  ...mutationFields,
  ...scannedFields,
  /**
   * The user wants this create as a new, separate resource even when an identical create was sent before: its
   * ClientToken is then made unique to this plan instead of derived from the desired state alone.
   */
  allowDuplicate: Schema.optional(Schema.Boolean)
})
export type CreateResourceCommand = typeof CreateResourceCommand.Type

/**
 * Step 6: update a resource with the explained patch. `patchDocument` is what the request claims the patch is; it is
 * compared with the plan, never applied, so anything but the explained patch (even a malformed one) is a mismatch.
 */
export const UpdateResourceCommand = Schema.Struct({
  ...mutationFields,
  ...scannedFields,
  identifier: Identifier,
  patchDocument: Schema.optional(Schema.Unknown)
})
export type UpdateResourceCommand = typeof UpdateResourceCommand.Type

/** Step 6: delete the resource whose delete was explained, once the user confirmed. */
export const DeleteResourceCommand = Schema.Struct({
  ...mutationFields,
  identifier: Identifier,
  confirmed: Schema.Boolean
})
export type DeleteResourceCommand = typeof DeleteResourceCommand.Type

/** Any mutation, as `authorize` sees it. */
export type MutationCommand = CreateResourceCommand | UpdateResourceCommand | DeleteResourceCommand

/** Read one resource. */
export const GetResourceCommand = Schema.Struct({
  typeName: TypeName,
  identifier: Identifier,
  region: Schema.optional(Region),
  analyzeSecurity: Schema.Boolean
})
export type GetResourceCommand = typeof GetResourceCommand.Type

/** List one page of the resources of a type. */
export const ListResourcesCommand = Schema.Struct({
  typeName: TypeName,
  region: Schema.optional(Region),
  nextToken: Schema.optional(Schema.String),
  /** Resources per page; the server's default when absent, capped at its maximum. */
  maxResults: Schema.optional(Schema.Number),
  resourceModel: Schema.optional(JsonObject),
  analyzeSecurity: Schema.Boolean,
  maxResourcesToAnalyze: Schema.optional(Schema.Number)
})
export type ListResourcesCommand = typeof ListResourcesCommand.Type

/** The provider schema of a type. */
export const SchemaInformationCommand = Schema.Struct({ typeName: TypeName, region: Schema.optional(Region) })
export type SchemaInformationCommand = typeof SchemaInformationCommand.Type

/** The state of a mutation request. */
export const RequestStatusCommand = Schema.Struct({ requestToken: RequestToken, region: Schema.optional(Region) })
export type RequestStatusCommand = typeof RequestStatusCommand.Type

const templateFields = {
  region: Schema.optional(Region),
  /** The CloudFormation template (JSON, YAML), or the same resources as CDK or Terraform code. */
  format: TemplateOutputFormat
}

/** Start a template of existing resources (and wait for it, bounded). */
export const StartTemplate = Schema.TaggedStruct("StartTemplate", {
  ...templateFields,
  templateName: Schema.optional(Schema.String),
  /** May be empty when `sessionChanges` brings the resources. */
  resources: Schema.Array(TemplateResource),
  /** Add the resources this session created or updated (and has not deleted) in the region. */
  sessionChanges: Schema.optional(Schema.Boolean),
  deletionPolicy: DeletionPolicy,
  updateReplacePolicy: UpdateReplacePolicy
})
/** Fetch (or wait for) a template started earlier. */
export const FetchTemplate = Schema.TaggedStruct("FetchTemplate", { ...templateFields, templateId: Schema.String })
export const CreateTemplateCommand = Schema.Union([StartTemplate, FetchTemplate])
export type CreateTemplateCommand = typeof CreateTemplateCommand.Type
