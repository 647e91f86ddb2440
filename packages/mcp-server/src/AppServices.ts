import type {
  ApprovalStore,
  CloudControl,
  Identity,
  Journal,
  PropertyValidator,
  ResourceSchemas,
  SecurityScanner,
  SessionState,
  TemplateGenerator,
  WorkflowSettings
} from "@ccapi/core"

/** Every service the use-cases need from the application layer (the `Approver` is provided per request). */
export type AppServices =
  | ApprovalStore
  | CloudControl
  | Identity
  | Journal
  | PropertyValidator
  | ResourceSchemas
  | SecurityScanner
  | SessionState
  | TemplateGenerator
  | WorkflowSettings
