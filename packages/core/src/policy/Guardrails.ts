import { parsePointer, unescapePointerSegment } from "../json/JsonPointer.js"
import { collect } from "../json/SchemaPaths.js"
import type { PatchDocument, PatchOperation } from "../model/Cloud.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { GuardrailSubject, GuardrailVerdict, PlanOperation } from "../model/Plan.js"
import type { ResourceSchema } from "../model/ResourceSchema.js"
import { Result } from "effect"
import { adminAccessOf } from "./iam/AdminAccess.js"
import { callerKeys, concreteValue } from "./iam/Conditions.js"
import { asList, child, documentOf, documentsIn, objectsIn, type PolicyDocument } from "./iam/PolicyDocument.js"
import { isPublicValue, publicAccessOf } from "./iam/Principals.js"
import { ingressRulesOf, openAdminPorts } from "./network/Ingress.js"
import { principalLocationsOf, withSchemaDefaults } from "./SchemaFacts.js"

/*
 * The guardrails judge what a change leads to, not how it is spelled: the resulting state (a create's desired state
 * with the type's schema defaults, an update's preview after the patch, absent meaning the service default), every
 * policy document in it whatever its form (objects or JSON strings with any escapes), principals wherever the schema
 * says the type carries them, and network reach as arithmetic over address ranges.
 */

/** One finding of a rule: where (a JSON pointer into the properties or the patch target) and why. */
export interface GuardrailFinding {
  readonly path: string
  readonly reason: string
}

/** What a rule looks at: the subject, the resulting state with schema defaults, the schema and the documents found. */
export interface GuardrailInput extends GuardrailSubject {
  /** The properties after the change with the schema's defaults for what they leave out. */
  readonly state: JsonObject
  readonly schema: ResourceSchema | undefined
  /** Every policy document in the state and in the values the patch writes. */
  readonly documents: ReadonlyArray<PolicyDocument>
}

/** A subject a rule must refuse or let through, run as a test (`Guardrails.test.ts`). */
export interface GuardrailExample {
  readonly note: string
  readonly typeName: string
  readonly properties: JsonObject
  readonly currentState?: JsonObject
  readonly patch?: PatchDocument
}

/** A policy rule that every plan is checked against. Rules are data: a new rule is a new value in `guardrailRules`. */
export interface GuardrailRule {
  readonly id: string
  readonly description: string
  /** The operations the rule applies to; create and update when absent (deleting a risky resource is not risky). */
  readonly operations?: ReadonlyArray<PlanOperation>
  readonly check: (input: GuardrailInput) => ReadonlyArray<GuardrailFinding>
  /** Subjects the rule refuses (each gives a verdict of this rule) and harmless neighbours it lets through. */
  readonly examples: {
    readonly refused: ReadonlyArray<GuardrailExample>
    readonly allowed: ReadonlyArray<GuardrailExample>
  }
}

// ── Reading the state ─────────────────────────────────────────────────────────

const isFalse = (value: JsonValue | undefined) =>
  value === false || (typeof value === "string" && /^\s*false\s*$/i.test(value))
const isTrue = (value: JsonValue | undefined) =>
  value === true || (typeof value === "string" && /^\s*true\s*$/i.test(value))

/** A value that says something: not absent, null, false, an empty string, object or array. */
const meaningful = (value: JsonValue | undefined): boolean =>
  value !== undefined &&
  value !== null &&
  !isFalse(value) &&
  !(typeof value === "string" && value.trim() === "") &&
  !(Array.isArray(value) && value.length === 0) &&
  !(isJsonObject(value) && Object.keys(value).length === 0)

const segments = (pointer: string): ReadonlyArray<string> => {
  const parsed = parsePointer(pointer)
  return Result.isSuccess(parsed) ? parsed.success : pointer.split("/").slice(1).map(unescapePointerSegment)
}

const valueAt = (root: JsonValue, pointer: string): JsonValue | undefined => {
  let node: JsonValue | undefined = root
  for (const segment of segments(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)]
    else if (isJsonObject(node)) node = Object.prototype.hasOwnProperty.call(node, segment) ? node[segment] : undefined
    else return undefined
  }
  return node
}

const lastSegment = (pointer: string) => segments(pointer).at(-1) ?? ""

/** The patch's written values with where they go, for subjects whose properties do not show them yet. */
const patchRoots = (patch: PatchDocument | undefined): ReadonlyArray<readonly [JsonValue, string]> =>
  (patch ?? []).filter((op) => op.value !== undefined).map((op) => [op.value as JsonValue, op.path] as const)

// ── Rule helpers ──────────────────────────────────────────────────────────────

const pinningSiblings = [...callerKeys.entries()]
  .filter(([key]) => key.startsWith("aws:"))
  .map(([key, kind]) => [key.slice(4), kind] as const)

/** A principal value outside policy documents is pinned by a sibling such as SourceArn or SourceAccount. */
const pinnedBySibling = (parent: JsonValue | undefined): boolean =>
  isJsonObject(parent) &&
  Object.entries(parent).some(([name, value]) => {
    const kind = pinningSiblings.find(([key]) => key === name.toLowerCase())?.[1]
    return kind !== undefined && asList(value).length > 0 && asList(value).every((v) => concreteValue(kind, v, false))
  })

const parentPointer = (pointer: string) => pointer.slice(0, Math.max(0, pointer.lastIndexOf("/")))

const s3Flags = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] as const
const publicAcls: ReadonlyMap<string, string> = new Map([
  ["publicread", "everyone on the internet"],
  ["publicreadwrite", "everyone on the internet"],
  ["authenticatedread", "every AWS account"]
])
const aclKey = (acl: string) => acl.replace(/[^a-z]/gi, "").toLowerCase()

/** Settings whose name says encryption: removing or emptying one switches encryption off or to a weaker default. */
const encryptionName = { test: (name: string) => /encrypt|kms/i.test(name) || /SSE|^Sse|^sse|[a-z]Sse[A-Z]/.test(name) }
/** Boolean switches that store data unencrypted when false. */
const encryptionSwitches = ["StorageEncrypted", "Encrypted", "AtRestEncryptionEnabled"] as const

/** The pointer of the type's tag property (`/Tags` when the schema does not say): tag keys are not settings. */
const tagRoot = (input: GuardrailInput) => `/${input.schema?.tagging.tagPropertyName ?? "Tags"}`

/** Every plain object of a state that holds settings: not inside tags, policy documents or JSON strings. */
const settingsIn = (
  value: JsonValue,
  skip: string,
  pointer = "",
  out: Array<readonly [JsonObject, string]> = []
): Array<readonly [JsonObject, string]> => {
  if (pointer === skip) return out
  if (Array.isArray(value)) value.forEach((item, i) => settingsIn(item, skip, child(pointer, i), out))
  else if (isJsonObject(value) && documentOf(value, pointer) === undefined) {
    out.push([value, pointer])
    for (const [key, item] of Object.entries(value)) settingsIn(item, skip, child(pointer, key), out)
  }
  return out
}

const patchWeakensEncryption = (op: PatchOperation): ReadonlyArray<GuardrailFinding> => {
  const findings: Array<GuardrailFinding> = []
  const name = lastSegment(op.path)
  if (op.op === "remove" && encryptionName.test(name))
    findings.push({
      path: op.path,
      reason: `The patch removes ${name}, which switches encryption off or back to a weaker default. Keep the setting; change the key instead of removing it.`
    })
  if (op.op === "move" && op.from !== undefined && encryptionName.test(lastSegment(op.from)))
    findings.push({
      path: op.from,
      reason: `The patch moves ${lastSegment(op.from)} away, which removes it from where the service reads it and switches encryption off or to a weaker default. Keep the setting where it is.`
    })
  if ((op.op === "replace" || op.op === "add") && encryptionName.test(name) && !meaningful(op.value as JsonValue))
    findings.push({
      path: op.path,
      reason: `The patch sets ${name} to ${JSON.stringify(op.value)}, which switches encryption off or back to a weaker default. Keep a real setting (for example a KMS key).`
    })
  if (op.op === "replace" || op.op === "add")
    for (const [object, pointer] of objectsIn(op.value as JsonValue, op.path))
      if (isFalse(object["SSEEnabled"]))
        findings.push({
          path: child(pointer, "SSEEnabled"),
          reason:
            "The patch sets SSEEnabled to false, which switches server-side encryption with a KMS key off. Keep SSEEnabled true."
        })
  return findings
}

const statementReason = (detail: string, advice: string) => `This policy statement ${detail}. ${advice}`

// ── The rules ─────────────────────────────────────────────────────────────────

const policy = (...Statement: Array<JsonObject>): JsonObject => ({ Version: "2012-10-17", Statement })
/** An example: a managed policy of these statements. */
const managedPolicy = (note: string, ...statements: Array<JsonObject>) => ({
  note,
  typeName: "AWS::IAM::ManagedPolicy",
  properties: { PolicyDocument: policy(...statements) }
})
/** An example: a security group with these ingress rules. */
const securityGroup = (note: string, ...ingress: Array<JsonObject>) => ({
  note,
  typeName: "AWS::EC2::SecurityGroup",
  properties: { GroupDescription: "g", SecurityGroupIngress: ingress }
})
/** An example: a policy of these statements on bucket `b`. */
const bucketPolicy = (note: string, ...statements: Array<JsonObject>) => ({
  note,
  typeName: "AWS::S3::BucketPolicy",
  properties: { Bucket: "b", PolicyDocument: policy(...statements) }
})
const block = (flags: Partial<Record<(typeof s3Flags)[number], boolean>>): JsonObject => flags
const allBlocked = block({
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true
})
const role = {
  AssumeRolePolicyDocument: policy({
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole"
  })
}

/** The guardrails of DESIGN.md, always on unless an operator switches a rule off by id. */
export const guardrailRules: ReadonlyArray<GuardrailRule> = [
  {
    id: "iam-admin-wildcard",
    description:
      "A policy that grants every action on every resource, however written: * or *:*, any case, split across statements, Resource arn:* or NotResource, or Allow with NotAction on every resource; and a document too large to judge (over 5,000 action and resource entries, far beyond IAM's size limits).",
    check: (input) =>
      input.documents.flatMap((document) =>
        adminAccessOf(document)
          .filter((f) => f.kind !== "escalation")
          .map((f) => ({
            path: f.path,
            reason:
              f.kind === "too-large"
                ? `This policy document ${f.detail}. Split it into documents within IAM's limits, listing the actions and resources the workload needs.`
                : statementReason(
                    f.kind === "not-action"
                      ? `${f.detail} on every resource: nearly every action on every resource, close to full administrator access`
                      : `${f.detail} on every resource: full administrator access`,
                    "List the actions and resources the workload needs instead."
                  )
          }))
      ),
    examples: {
      refused: [
        managedPolicy("* on *", { Effect: "Allow", Action: "*", Resource: "*" }),
        managedPolicy("NotAction with Allow on *", { Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
        managedPolicy("arn:* resource", { Effect: "Allow", Action: "*:*", Resource: "arn:*" }),
        managedPolicy("NotResource", { Effect: "Allow", Action: ["*"], NotResource: "arn:aws:s3:::secret" }),
        managedPolicy("a document too large to judge", {
          Effect: "Allow",
          Action: Array.from({ length: 5001 }, (_, i) => `s3:GetObject${i}`),
          Resource: "arn:aws:s3:::b/*"
        }),
        {
          note: "a JSON string with escaped keys",
          typeName: "AWS::IAM::ManagedPolicy",
          properties: {
            PolicyDocument: '{"St\\u0061tement":[{"\\u0045ffect":"Allow","Action":"*","Resource":"arn:aws:*:*:*:*"}]}'
          }
        }
      ],
      allowed: [
        managedPolicy("a narrow action", { Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
        managedPolicy("Deny * on *", { Effect: "Deny", Action: "*", Resource: "*" }),
        managedPolicy("* on one bucket", { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::bucket/*" }),
        managedPolicy("NotAction on one bucket", {
          Effect: "Allow",
          NotAction: "s3:DeleteObject",
          Resource: "arn:aws:s3:::bucket/*"
        }),
        managedPolicy("upper-case ARN (case-sensitive, matches nothing)", {
          Effect: "Allow",
          Action: "*",
          Resource: "ARN:*"
        })
      ]
    }
  },
  {
    id: "iam-privilege-escalation",
    description:
      "A policy that grants an action amounting to administrator access through privilege escalation on any resource (iam:*, iam:Put*Policy, iam:Attach*Policy, iam:CreatePolicyVersion, iam:PassRole with a compute action, sts:AssumeRole on *, …).",
    check: (input) =>
      input.documents.flatMap((document) =>
        adminAccessOf(document)
          .filter((f) => f.kind === "escalation")
          .map((f) => ({
            path: f.path,
            reason: statementReason(
              `${f.detail}: that amounts to administrator access`,
              "Name the roles, users and policies the workload manages (their ARNs) instead of any, and leave out the actions it does not need."
            )
          }))
      ),
    examples: {
      refused: [
        managedPolicy("iam:* on *", { Effect: "Allow", Action: "iam:*", Resource: "*" }),
        managedPolicy("iam:Put*Policy", { Effect: "Allow", Action: "IAM:put*policy", Resource: "*" }),
        managedPolicy(
          "PassRole + RunInstances split across statements",
          { Effect: "Allow", Action: "ec2:RunInstances", Resource: "*" },
          { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::*:role/*" }
        ),
        managedPolicy("sts:AssumeRole on *", { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" })
      ],
      allowed: [
        managedPolicy("iam:Get* on *", { Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" }),
        managedPolicy("PassRole of one role without compute", {
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: "arn:aws:iam::123456789012:role/app"
        }),
        { note: "a trust policy", typeName: "AWS::IAM::Role", properties: role },
        managedPolicy(
          "iam:* denied again",
          { Effect: "Allow", Action: "iam:*", Resource: "*" },
          { Effect: "Deny", Action: "iam:*", Resource: "*" }
        )
      ]
    }
  },
  {
    id: "public-principal",
    description:
      'A policy statement or permission that allows anyone ("*", {"AWS": "*"}, CanonicalUser or Federated wildcards, Allow with NotPrincipal, a Principal property of "*") without a condition that pins the caller to concrete accounts, organisations, ARNs or endpoints.',
    check: (input) => {
      const findings: Array<GuardrailFinding> = []
      for (const document of input.documents)
        for (const statement of document.statements) {
          const why = publicAccessOf(statement)
          if (why !== undefined)
            findings.push({
              path: statement.path,
              reason: `This policy statement allows anyone on the internet: ${why}, and no condition pins the caller to concrete values. Name the accounts or roles that need access, or add a condition with concrete values (for example aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID).`
            })
        }
      for (const { pattern } of principalLocationsOf(input.schema))
        for (const [pointer, value] of collect(input.state, pattern)) {
          const open = asList(value).find((v) => typeof v === "string" && isPublicValue(v))
          if (open === undefined || pinnedBySibling(valueAt(input.state, parentPointer(pointer)))) continue
          findings.push({
            path: pointer,
            reason: `${lastSegment(pointer)} is ${JSON.stringify(open)}, which grants access to anyone, and nothing beside it (SourceArn, SourceAccount, PrincipalOrgID) pins the caller. Name the account, service or ARN that needs access, and give SourceArn or SourceAccount for a service.`
          })
        }
      return findings
    },
    examples: {
      refused: [
        {
          note: 'Principal "*"',
          typeName: "AWS::S3::BucketPolicy",
          properties: {
            Bucket: "b",
            PolicyDocument: policy({
              Effect: "Allow",
              Principal: "*",
              Action: "s3:GetObject",
              Resource: "arn:aws:s3:::b/*"
            })
          }
        },
        bucketPolicy("CanonicalUser *", {
          Effect: "Allow",
          Principal: { CanonicalUser: ["*"] },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*"
        }),
        bucketPolicy("Allow with NotPrincipal", {
          Effect: "Allow",
          NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*"
        }),
        bucketPolicy("a wildcard condition value", {
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
          Condition: { StringLike: { "aws:SourceAccount": "*" } }
        }),
        bucketPolicy("a condition that does not name the caller", {
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
          Condition: { Bool: { "aws:SecureTransport": "true" } }
        }),
        bucketPolicy("IfExists", {
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
          Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } }
        }),
        {
          note: "Lambda permission for anyone",
          typeName: "AWS::Lambda::Permission",
          properties: { FunctionName: "f", Action: "lambda:InvokeFunction", Principal: "*" }
        }
      ],
      allowed: [
        bucketPolicy("a named account", {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*"
        }),
        bucketPolicy("a service", {
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: "arn:aws:s3:::b/*"
        }),
        bucketPolicy("anyone pinned to an organisation", {
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::b/*",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } }
        }),
        bucketPolicy("Deny to anyone", {
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: "arn:aws:s3:::b/*",
          Condition: { Bool: { "aws:SecureTransport": "false" } }
        }),
        {
          note: "Lambda permission pinned by SourceAccount",
          typeName: "AWS::Lambda::Permission",
          properties: {
            FunctionName: "f",
            Action: "lambda:InvokeFunction",
            Principal: "*",
            SourceAccount: "123456789012"
          }
        },
        {
          note: "Lambda permission for a service",
          typeName: "AWS::Lambda::Permission",
          properties: {
            FunctionName: "f",
            Action: "lambda:InvokeFunction",
            Principal: "s3.amazonaws.com",
            SourceArn: "arn:aws:s3:::b"
          }
        }
      ]
    }
  },
  {
    id: "s3-public-access",
    description:
      "An S3 bucket or access point that can become public: a public canned ACL, or a public-access block that is partial, empty, missing a flag (absent flags are false) or removed by an update.",
    check: (input) => {
      if (!input.typeName.startsWith("AWS::S3::")) return []
      const findings: Array<GuardrailFinding> = []
      const config = input.state["PublicAccessBlockConfiguration"]
      const before = input.currentState?.["PublicAccessBlockConfiguration"]
      if (isJsonObject(config)) {
        for (const flag of s3Flags)
          if (!isTrue(config[flag]))
            findings.push({
              path: `/PublicAccessBlockConfiguration/${flag}`,
              reason: `${flag} is ${config[flag] === undefined ? "missing, which AWS reads as false," : JSON.stringify(config[flag])} so this ${input.typeName === "AWS::S3::Bucket" ? "bucket" : "resource"} can become public. Keep all four public-access block settings true; grant access to named principals instead.`
            })
      } else if (config !== undefined || (before !== undefined && input.operation === "update")) {
        findings.push({
          path: "/PublicAccessBlockConfiguration",
          reason:
            config === undefined
              ? "The update removes the public-access block, so every setting goes back to false and the bucket can become public. Keep PublicAccessBlockConfiguration with all four settings true."
              : `PublicAccessBlockConfiguration is ${JSON.stringify(config)}, not a block with all four settings true, so the bucket can become public. Set all four settings to true.`
        })
      }
      const acl = input.state["AccessControl"]
      if (typeof acl === "string" && publicAcls.has(aclKey(acl)))
        findings.push({
          path: "/AccessControl",
          reason: `AccessControl ${acl} grants access to ${publicAcls.get(aclKey(acl))}. Use Private (the default) and grant access through a bucket policy to named principals.`
        })
      return findings
    },
    examples: {
      refused: [
        {
          note: "a partial block",
          typeName: "AWS::S3::Bucket",
          properties: { PublicAccessBlockConfiguration: block({ BlockPublicAcls: true, IgnorePublicAcls: true }) }
        },
        { note: "an empty block", typeName: "AWS::S3::Bucket", properties: { PublicAccessBlockConfiguration: {} } },
        {
          note: "a canned ACL in another spelling",
          typeName: "AWS::S3::Bucket",
          properties: { AccessControl: "public-read" }
        },
        {
          note: "the block removed by an update",
          typeName: "AWS::S3::Bucket",
          properties: { BucketName: "b" },
          currentState: { BucketName: "b", PublicAccessBlockConfiguration: allBlocked },
          patch: [{ op: "remove", path: "/PublicAccessBlockConfiguration" }]
        }
      ],
      allowed: [
        {
          note: "the full block",
          typeName: "AWS::S3::Bucket",
          properties: { PublicAccessBlockConfiguration: allBlocked, AccessControl: "Private" }
        },
        {
          note: "no block on a new bucket (AWS blocks public access by default)",
          typeName: "AWS::S3::Bucket",
          properties: { BucketName: "b" }
        },
        {
          note: "log delivery ACL",
          typeName: "AWS::S3::Bucket",
          properties: { AccessControl: "LogDeliveryWrite", PublicAccessBlockConfiguration: allBlocked }
        }
      ]
    }
  },
  {
    id: "rds-public",
    description: "An RDS DB instance or cluster reachable from the internet (PubliclyAccessible: true).",
    check: (input) =>
      (input.typeName === "AWS::RDS::DBInstance" || input.typeName === "AWS::RDS::DBCluster") &&
      isTrue(input.state["PubliclyAccessible"])
        ? [
            {
              path: "/PubliclyAccessible",
              reason:
                "PubliclyAccessible is true, which gives the database a public address. Set it to false and reach the database from inside the VPC."
            }
          ]
        : [],
    examples: {
      refused: [
        { note: "a public instance", typeName: "AWS::RDS::DBInstance", properties: { PubliclyAccessible: "TRUE" } }
      ],
      allowed: [
        { note: "a private instance", typeName: "AWS::RDS::DBInstance", properties: { PubliclyAccessible: false } }
      ]
    }
  },
  {
    id: "sg-open-admin-ports",
    description:
      "Ingress that, across all rules of the resulting state, lets the whole IPv4 or IPv6 internet reach an administrative or database port (SSH, RDP, SQL, Redis, …): any spelling of 0.0.0.0/0 or ::/0, ranges that together cover the space, port ranges, protocol -1.",
    check: (input) => {
      const open = openAdminPorts(ingressRulesOf(input.typeName, input.state))
      if (open === undefined) return []
      const what = open.everyPort ? "every port" : `port${open.ports.length > 1 ? "s" : ""} ${open.ports.join(", ")}`
      const space = open.families.map((f) => (f === "ipv4" ? "every IPv4 address" : "every IPv6 address")).join(" and ")
      const path = open.paths.length === 1 ? open.paths[0]! : parentPointer(open.paths[0]!)
      return [
        {
          path,
          reason: `${open.paths.length === 1 ? "This ingress rule opens" : `Together, the ingress rules ${open.paths.join(", ")} open`} ${what} to the whole internet (${space}). Allow only the address ranges or security groups that need access.`
        }
      ]
    },
    examples: {
      refused: [
        securityGroup("SSH from ::/0 spelled out", {
          IpProtocol: "tcp",
          FromPort: 22,
          ToPort: 22,
          CidrIpv6: "0:0:0:0:0:0:0:0/0"
        }),
        securityGroup(
          "two halves of IPv4",
          { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, CidrIp: "0.0.0.0/1" },
          { IpProtocol: "6", FromPort: 3306, ToPort: 3306, CidrIp: "128.0.0.0/1" }
        ),
        {
          note: "all protocols",
          typeName: "AWS::EC2::SecurityGroupIngress",
          properties: { GroupId: "sg-1", IpProtocol: -1, CidrIp: "000.000.000.000/0" }
        },
        {
          note: "a network ACL entry",
          typeName: "AWS::EC2::NetworkAclEntry",
          properties: {
            NetworkAclId: "acl-1",
            RuleNumber: 100,
            Protocol: 6,
            RuleAction: "allow",
            CidrBlock: "0.0.0.0/0",
            PortRange: { From: 3000, To: 4000 }
          }
        }
      ],
      allowed: [
        securityGroup(
          "HTTPS from anywhere",
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv6: "::/0" }
        ),
        securityGroup("SSH from one half only", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/1" }),
        {
          note: "a deny entry",
          typeName: "AWS::EC2::NetworkAclEntry",
          properties: {
            NetworkAclId: "acl-1",
            RuleNumber: 100,
            Protocol: -1,
            RuleAction: "deny",
            CidrBlock: "0.0.0.0/0"
          }
        }
      ]
    }
  },
  {
    id: "lambda-url-no-auth",
    description: "A Lambda function URL that anyone can invoke (AuthType: NONE).",
    check: (input) =>
      input.typeName === "AWS::Lambda::Url" &&
      typeof input.state["AuthType"] === "string" &&
      input.state["AuthType"].trim().toUpperCase() === "NONE"
        ? [
            {
              path: "/AuthType",
              reason:
                "AuthType NONE lets anyone on the internet invoke this function. Use AWS_IAM and sign the requests."
            }
          ]
        : [],
    examples: {
      refused: [
        { note: "no auth", typeName: "AWS::Lambda::Url", properties: { TargetFunctionArn: "f", AuthType: "none" } }
      ],
      allowed: [
        { note: "IAM auth", typeName: "AWS::Lambda::Url", properties: { TargetFunctionArn: "f", AuthType: "AWS_IAM" } }
      ]
    }
  },
  {
    id: "encryption-disabled",
    description:
      "Encryption switched off in the resulting state: StorageEncrypted, Encrypted or AtRestEncryptionEnabled false (schema defaults included), SqsManagedSseEnabled false without a KMS key, or an update that removes, moves away or empties an encryption setting (any setting whose name says encryption, KMS or SSE).",
    check: (input) => {
      const findings: Array<GuardrailFinding> = []
      for (const [object, pointer] of objectsIn(input.state)) {
        for (const key of encryptionSwitches)
          if (isFalse(object[key]))
            findings.push({
              path: child(pointer, key),
              reason: `${key} is false${Object.prototype.hasOwnProperty.call(object, key) ? "" : " (the default)"}, so the data is stored unencrypted. Set it to true (optionally with a KMS key).`
            })
        if (isFalse(object["SqsManagedSseEnabled"]) && !meaningful(object["KmsMasterKeyId"]))
          findings.push({
            path: child(pointer, "SqsManagedSseEnabled"),
            reason:
              "SqsManagedSseEnabled is false and no KmsMasterKeyId is set, so the queue is not encrypted. Leave SQS-managed encryption on or set a KMS key."
          })
      }
      for (const [value, at] of patchRoots(input.patch))
        for (const [object, pointer] of objectsIn(value, at))
          for (const key of encryptionSwitches)
            if (isFalse(object[key]))
              findings.push({
                path: child(pointer, key),
                reason: `The patch sets ${key} to false, so the data is stored unencrypted. Keep it true.`
              })
      if (input.operation === "update" && input.currentState !== undefined) {
        for (const [object, pointer] of settingsIn(input.currentState, tagRoot(input)))
          for (const [key, value] of Object.entries(object)) {
            if (!encryptionName.test(key) || !meaningful(value)) continue
            const path = child(pointer, key)
            const after = valueAt(input.properties, path)
            if (meaningful(after)) continue
            findings.push({
              path,
              reason: `The update ${after === undefined ? "removes" : `sets to ${JSON.stringify(after)}`} ${key}, which switches encryption off or back to a weaker default. Keep the setting; change the key instead of removing it.`
            })
          }
      }
      const tags = tagRoot(input)
      const outsideTags = (pointer: string | undefined) =>
        pointer === undefined || (pointer !== tags && !pointer.startsWith(`${tags}/`))
      return [
        ...findings,
        ...(input.patch ?? [])
          .filter((op) => outsideTags(op.path) && outsideTags(op.from))
          .flatMap(patchWeakensEncryption)
      ]
    },
    examples: {
      refused: [
        { note: "StorageEncrypted false", typeName: "AWS::RDS::DBCluster", properties: { StorageEncrypted: "False" } },
        {
          note: "a KMS key moved away",
          typeName: "AWS::SQS::Queue",
          properties: { QueueName: "q", Tags: [{ Key: "k", Value: "alias/q" }] },
          currentState: { QueueName: "q", KmsMasterKeyId: "alias/q", Tags: [{ Key: "k", Value: "v" }] },
          patch: [{ op: "move", from: "/KmsMasterKeyId", path: "/Tags/0/Value" }]
        },
        {
          note: "a KMS key emptied",
          typeName: "AWS::Logs::LogGroup",
          properties: { LogGroupName: "l", KmsKeyId: "" },
          currentState: { LogGroupName: "l", KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" },
          patch: [{ op: "replace", path: "/KmsKeyId", value: "" }]
        },
        {
          note: "an encryption setting the rules do not name, removed",
          typeName: "AWS::OpenSearchService::Domain",
          properties: { DomainName: "d" },
          currentState: { DomainName: "d", EncryptionAtRestOptions: { Enabled: true } },
          patch: [{ op: "remove", path: "/EncryptionAtRestOptions" }]
        }
      ],
      allowed: [
        { note: "encrypted", typeName: "AWS::RDS::DBCluster", properties: { StorageEncrypted: true } },
        {
          note: "a KMS key replaced by another",
          typeName: "AWS::Logs::LogGroup",
          properties: { LogGroupName: "l", KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/new" },
          currentState: { LogGroupName: "l", KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/old" },
          patch: [{ op: "replace", path: "/KmsKeyId", value: "arn:aws:kms:us-east-1:123456789012:key/new" }]
        },
        {
          note: "tags removed",
          typeName: "AWS::DynamoDB::Table",
          properties: { TableName: "t" },
          currentState: { TableName: "t", Tags: [{ Key: "a", Value: "b" }] },
          patch: [{ op: "remove", path: "/Tags" }]
        }
      ]
    }
  }
]

/** What the rules read for a subject: the resulting state with defaults and every policy document, found once. */
export const guardrailInput = (subject: GuardrailSubject, schema?: ResourceSchema): GuardrailInput => {
  const state = withSchemaDefaults(schema, subject.properties)
  let documents: ReadonlyArray<PolicyDocument> | undefined
  return {
    ...subject,
    state,
    schema,
    get documents() {
      documents ??= [
        ...documentsIn(state),
        ...patchRoots(subject.patch).flatMap(([value, at]) => documentsIn(value, at))
      ]
      return documents
    }
  }
}

/**
 * Every verdict the enabled rules give for a subject, each (rule, path) once; `disabled` holds rule ids an operator
 * switched off; `schema` (the type's provider schema) supplies defaults and where the type carries principals.
 */
export const evaluateGuardrails = (
  subject: GuardrailSubject,
  disabled: ReadonlySet<string>,
  schema?: ResourceSchema
): ReadonlyArray<GuardrailVerdict> => {
  const rules = guardrailRules.filter(
    (rule) => !disabled.has(rule.id) && (rule.operations ?? ["create", "update"]).includes(subject.operation)
  )
  if (rules.length === 0) return []
  const input = guardrailInput(subject, schema)
  const seen = new Set<string>()
  return rules
    .flatMap((rule) => rule.check(input).map((finding) => ({ rule: rule.id, ...finding })))
    .filter((verdict) => {
      const key = `${verdict.rule}\u0000${verdict.path}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}
