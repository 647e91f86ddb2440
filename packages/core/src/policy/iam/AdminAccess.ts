import type { PatternSet, PolicyDocument, PolicyStatement } from "./PolicyDocument.js"
import { actionMatches, resourceMatches } from "./Wildcards.js"

/*
 * What a policy document grants, asked as IAM would evaluate it: is action A allowed on resource R? An explicit,
 * unconditional Deny wins; Allow statements may be split in any way (actions across statements, scalar or list,
 * any case). Statements with neither Resource nor NotResource (trust policies, most resource policies) are not
 * identity grants and are left to the principal rule.
 */

/** A sample of actions across services: a grant that allows all of them on every resource is administrator access. */
const everyActionProbe: ReadonlyArray<string> = [
  "iam:CreateUser",
  "ec2:RunInstances",
  "s3:GetObject",
  "sts:AssumeRole",
  "kms:Decrypt",
  "lambda:InvokeFunction",
  "organizations:LeaveOrganization",
  "dynamodb:DeleteTable",
  "zz-any-service:AnyAction"
]

/** ARNs that stand for "any resource" of the kinds the checks ask about. */
const anyRole = "arn:aws:iam::123456789012:role/any-role"
const anyUser = "arn:aws:iam::123456789012:user/any-user"
const anyPolicy = "arn:aws:iam::123456789012:policy/any-policy"
const anyGroup = "arn:aws:iam::123456789012:group/any-group"
const anyResource: ReadonlyArray<string> = [
  anyRole,
  "arn:aws:s3:::any-bucket/any-key",
  "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
  "arn:aws:kms:us-east-1:123456789012:key/any-key"
]

/**
 * Actions that amount to administrator access on their own: each lets the holder grant itself any permission or act
 * as any role. Sources: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation" (the 21
 * methods), Bishop Fox "iam-vulnerable", and the IAM User Guide ("Granting a user permissions to pass a role",
 * "Policy versions"). Each is checked against a resource that stands for "any" of its kind.
 */
export const escalationActions: ReadonlyArray<{
  readonly action: string
  readonly resource: string
  readonly why: string
}> = [
  { action: "iam:CreatePolicyVersion", resource: anyPolicy, why: "rewrite any managed policy to allow everything" },
  { action: "iam:SetDefaultPolicyVersion", resource: anyPolicy, why: "switch a managed policy to a broader version" },
  { action: "iam:PutUserPolicy", resource: anyUser, why: "give any user (itself included) an inline policy" },
  { action: "iam:PutRolePolicy", resource: anyRole, why: "give any role an inline policy" },
  { action: "iam:PutGroupPolicy", resource: anyGroup, why: "give any group an inline policy" },
  { action: "iam:AttachUserPolicy", resource: anyUser, why: "attach AdministratorAccess to any user" },
  { action: "iam:AttachRolePolicy", resource: anyRole, why: "attach AdministratorAccess to any role" },
  { action: "iam:AttachGroupPolicy", resource: anyGroup, why: "attach AdministratorAccess to any group" },
  { action: "iam:CreateAccessKey", resource: anyUser, why: "create keys for any user, administrators included" },
  { action: "iam:CreateLoginProfile", resource: anyUser, why: "set a console password for any user" },
  { action: "iam:UpdateLoginProfile", resource: anyUser, why: "change the console password of any user" },
  { action: "iam:UpdateAssumeRolePolicy", resource: anyRole, why: "let itself assume any role" },
  { action: "iam:AddUserToGroup", resource: anyGroup, why: "join any group, administrators included" },
  { action: "iam:DeleteRolePermissionsBoundary", resource: anyRole, why: "lift the permissions boundary of any role" },
  { action: "iam:DeleteUserPermissionsBoundary", resource: anyUser, why: "lift the permissions boundary of any user" },
  { action: "iam:PutRolePermissionsBoundary", resource: anyRole, why: "replace the permissions boundary of any role" },
  { action: "iam:PutUserPermissionsBoundary", resource: anyUser, why: "replace the permissions boundary of any user" },
  { action: "sts:AssumeRole", resource: anyRole, why: "assume any role that trusts the account" }
]

/** `iam:PassRole` on any role together with one of these: run code as any role (Rhino Security Labs, methods 3–12). */
export const passRoleCompanions: ReadonlyArray<string> = [
  "lambda:CreateFunction",
  "lambda:UpdateFunctionConfiguration",
  "ec2:RunInstances",
  "ecs:RunTask",
  "ecs:RegisterTaskDefinition",
  "cloudformation:CreateStack",
  "cloudformation:UpdateStack",
  "glue:CreateDevEndpoint",
  "glue:CreateJob",
  "datapipeline:CreatePipeline",
  "sagemaker:CreateNotebookInstance",
  "sagemaker:CreateTrainingJob",
  "codebuild:CreateProject",
  "states:CreateStateMachine"
]

const setMatches = (set: PatternSet | undefined, matches: (pattern: string) => boolean): boolean => {
  if (set === undefined) return false
  const hit = set.values.some(matches)
  return set.negated ? !hit : hit
}

/**
 * Whether a statement's element matches a probe, computed once per (statement, element, probe): the probes are a
 * few dozen short names, so a policy of any size costs one pass over its values per probe, not one per question.
 */
const matchCache = new WeakMap<PolicyStatement, Map<string, boolean>>()

const cached = (statement: PolicyStatement, key: string, compute: () => boolean): boolean => {
  let cache = matchCache.get(statement)
  if (cache === undefined) {
    cache = new Map()
    matchCache.set(statement, cache)
  }
  let value = cache.get(key)
  if (value === undefined) {
    value = compute()
    cache.set(key, value)
  }
  return value
}

/** The statement applies to the action on the resource (its Action/NotAction and Resource/NotResource say so). */
export const statementCovers = (statement: PolicyStatement, action: string, resource: string): boolean =>
  cached(statement, `a\u0000${action}`, () => setMatches(statement.actions, (p) => actionMatches(p, action))) &&
  cached(statement, `r\u0000${resource}`, () => setMatches(statement.resources, (p) => resourceMatches(p, resource)))

const isIdentityGrant = (s: PolicyStatement) => s.resources !== undefined && s.actions !== undefined

/** The Allow statement of the document that grants the action on the resource, unless an unconditional Deny wins. */
export const grantingStatement = (
  document: PolicyDocument,
  action: string,
  resource: string
): PolicyStatement | undefined => {
  const denied = document.statements.some(
    (s) => s.effect === "Deny" && s.conditions.length === 0 && statementCovers(s, action, resource)
  )
  if (denied) return undefined
  return document.statements.find(
    (s) => s.effect === "Allow" && isIdentityGrant(s) && statementCovers(s, action, resource)
  )
}

export interface AdminFinding {
  readonly path: string
  readonly kind: "every-action" | "not-action" | "escalation" | "too-large"
  readonly detail: string
}

const analysed = new WeakMap<PolicyDocument, ReadonlyArray<AdminFinding>>()

/** Administrator access or privilege escalation that the document grants, one finding per granting statement. */
export const adminAccessOf = (document: PolicyDocument): ReadonlyArray<AdminFinding> => {
  const known = analysed.get(document)
  if (known !== undefined) return known
  const findings = analyse(document)
  analysed.set(document, findings)
  return findings
}

/**
 * More action and resource entries than a document gets judged with. IAM's own limits are far below it (6,144
 * characters for a managed policy, 10,240 for a role's inline policies, 20 KB for a bucket policy, 32 KB for a key
 * policy), so only a document written to stall the guardrails reaches it; it is refused, not skipped.
 */
export const maxPolicyEntries = 5000

const analyse = (document: PolicyDocument): ReadonlyArray<AdminFinding> => {
  const entries = document.statements.reduce(
    (n, s) => n + (s.actions?.values.length ?? 0) + (s.resources?.values.length ?? 0),
    0
  )
  if (entries > maxPolicyEntries)
    return [
      {
        path: document.path,
        kind: "too-large",
        detail: `has ${entries} action and resource entries, more than the ${maxPolicyEntries} the guardrails judge (IAM's own size limits allow far fewer)`
      }
    ]
  const findings: Array<AdminFinding> = []
  const reported = new Set<string>()
  const add = (finding: AdminFinding) => {
    if (reported.has(finding.path)) return
    reported.add(finding.path)
    findings.push(finding)
  }
  // Every action on every resource, whether from one statement or several.
  const grants = everyActionProbe.map((action) =>
    anyResource.map((resource) => grantingStatement(document, action, resource))
  )
  if (grants.every((row) => row.every((g) => g !== undefined))) {
    // The statements that grant it alone when there are any, else every statement that contributes a part.
    const alone = document.statements.filter(
      (s) =>
        s.effect === "Allow" &&
        isIdentityGrant(s) &&
        everyActionProbe.every((action) => anyResource.every((resource) => statementCovers(s, action, resource)))
    )
    const contributing = alone.length > 0 ? alone : [...new Set(grants.flat())]
    for (const statement of contributing) {
      if (statement === undefined) continue
      add({
        path: statement.path,
        kind: statement.actions?.negated === true ? "not-action" : "every-action",
        detail:
          statement.actions?.negated === true
            ? `allows every action except ${statement.actions.values.join(", ") || "none"} (NotAction with Allow)`
            : alone.length > 0
              ? "allows every action"
              : "allows, together with the other statements of its policy, every action"
      })
    }
  }
  // Allow + NotAction on every resource: a deny-list, near administrator access even when it leaves out IAM.
  for (const statement of document.statements) {
    if (statement.effect !== "Allow" || statement.actions?.negated !== true || !isIdentityGrant(statement)) continue
    if (anyResource.every((r) => setMatches(statement.resources, (p) => resourceMatches(p, r))))
      add({
        path: statement.path,
        kind: "not-action",
        detail: `allows every action except ${statement.actions.values.join(", ") || "none"} (NotAction with Allow)`
      })
  }
  // Single actions that escalate to administrator.
  for (const { action, resource, why } of escalationActions) {
    const statement = grantingStatement(document, action, resource)
    if (statement !== undefined)
      add({ path: statement.path, kind: "escalation", detail: `allows ${action} on any resource, which can ${why}` })
  }
  // iam:PassRole on any role with a way to run code as that role.
  const passRole = grantingStatement(document, "iam:PassRole", anyRole)
  if (passRole !== undefined) {
    const companion = passRoleCompanions.find((action) =>
      anyResource.some((r) => grantingStatement(document, action, r) !== undefined)
    )
    if (companion !== undefined)
      add({
        path: passRole.path,
        kind: "escalation",
        detail: `allows iam:PassRole on any role together with ${companion}, which runs code as any role (administrator included)`
      })
  }
  return findings
}
