/*
 * @ccapi/core, by concept (ARCHITECTURE.md draws the arrows):
 *   model/     ids, JSON values, plans, tokens, provider schemas, domain errors
 *   ports/     what the core needs from the outside world, one Context.Service each
 *   json/      RFC 6901 pointers, RFC 6902 patches and provider-schema paths
 *   policy/    guardrails, default tags, the scan gate
 *   workflow/  plan builders, the token chain, the gates a mutation passes, settings, waiting
 *   render/    what a person reads: the explanation, the sanitiser, "did you mean"
 *   memory/    the in-memory ApprovalStore and PendingApprovals (the local defaults)
 *   usecases/  the steps behind the 14 tools
 */
export * from "./model/Cloud.js"
export * from "./model/Errors.js"
export * from "./model/Ids.js"
export * from "./model/Json.js"
export * from "./model/Plan.js"
export * from "./model/ResourceSchema.js"
export * from "./model/Token.js"

export * from "./ports/ApprovalStore.js"
export * from "./ports/Approver.js"
export * from "./ports/CloudControl.js"
export * from "./ports/Identity.js"
export * from "./ports/Journal.js"
export * from "./ports/PendingApprovals.js"
export * from "./ports/PropertyValidator.js"
export * from "./ports/ResourceSchemas.js"
export * from "./ports/SecurityScanner.js"
export * from "./ports/TemplateConverter.js"
export * from "./ports/TemplateGenerator.js"
export * from "./ports/TokenIds.js"

export * from "./json/JsonPatch.js"
export * from "./json/JsonPointer.js"
export { removeSchemaPath, valuesAtSchemaPath } from "./json/SchemaPaths.js"
export * from "./json/SchemaRef.js"

export * from "./policy/DefaultTags.js"
export * from "./policy/Guardrails.js"
export * from "./policy/ScanGate.js"

export * from "./workflow/CfnTemplate.js"
export * from "./workflow/InFlight.js"
export * from "./workflow/LiveState.js"
export * from "./workflow/Plans.js"
export * from "./workflow/Settings.js"
export * from "./workflow/Waiter.js"
export * from "./workflow/WorkflowTokens.js"

export * from "./render/Explanation.js"
export * from "./render/Names.js"
export * from "./render/Sanitiser.js"

export * as ApprovalStoreMemory from "./memory/ApprovalStoreMemory.js"
export * as PendingApprovalsMemory from "./memory/PendingApprovalsMemory.js"

export { sha256Hex } from "./internal/sha256.js"
export * from "./usecases/index.js"
