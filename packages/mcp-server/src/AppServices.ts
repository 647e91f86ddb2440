import type { TemplateConverter, TemplateGenerator, WorkflowServices } from "@ccapi/core"
import type { ApprovalDesk } from "./approval/ApprovalDesk.js"

/**
 * Every service the use-cases need from the application layer, built once per process and shared by its sessions:
 * the workflow's, the template ports and the approval desk (each session's own services — id, delete counter,
 * approver — come from its session layer, see Session.ts).
 */
export type AppServices = WorkflowServices | TemplateConverter | TemplateGenerator | ApprovalDesk
