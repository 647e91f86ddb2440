import { escapePointerSegment, unescapePointerSegment } from "../json/JsonPointer.js"
import type { PatchOperation } from "../model/Cloud.js"
import { isJsonObject, type JsonObject, type JsonValue } from "../model/Json.js"
import type { GuardrailSubject, GuardrailVerdict, PlanOperation } from "../model/Plan.js"

/** One finding of a rule: where (a JSON pointer into the properties or the patch target) and why. */
export interface GuardrailFinding {
  readonly path: string
  readonly reason: string
}

/** A policy rule that every plan is checked against. Rules are data: a new rule is a new value in `guardrailRules`. */
export interface GuardrailRule {
  readonly id: string
  readonly description: string
  /** The operations the rule applies to; create and update when absent (deleting a risky resource is not risky). */
  readonly operations?: ReadonlyArray<PlanOperation>
  readonly check: (subject: GuardrailSubject) => ReadonlyArray<GuardrailFinding>
}

// ── Walking JSON ──────────────────────────────────────────────────────────────

const child = (pointer: string, key: string | number): string => `${pointer}/${escapePointerSegment(String(key))}`

/** A string that is a JSON object with a `Statement`, parsed; anything else is `undefined`. */
const parsePolicyString = (text: string): JsonObject | undefined => {
  const trimmed = text.trim()
  if (!trimmed.startsWith("{") || !trimmed.includes("Statement")) return undefined
  try {
    const parsed: unknown = JSON.parse(trimmed)
    return isJsonObject(parsed) ? (parsed as JsonObject) : undefined
  } catch {
    return undefined
  }
}

/** Every object in a value with its pointer, descending into JSON strings that hold policy documents. */
const objectsIn = (value: unknown, pointer: string, out: Array<readonly [JsonObject, string]> = []) => {
  if (typeof value === "string") {
    const parsed = parsePolicyString(value)
    if (parsed !== undefined) objectsIn(parsed, pointer, out)
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => objectsIn(item, child(pointer, i), out))
  } else if (isJsonObject(value)) {
    out.push([value, pointer])
    for (const [key, item] of Object.entries(value)) objectsIn(item, child(pointer, key), out)
  }
  return out
}

/** The values a subject brings: the properties after the change, and every value an update's patch writes. */
const roots = (subject: GuardrailSubject): ReadonlyArray<readonly [unknown, string]> => [
  [subject.properties, ""],
  ...(subject.patch ?? []).filter((op) => op.value !== undefined).map((op) => [op.value, op.path] as const)
]

const allObjects = (subject: GuardrailSubject) =>
  roots(subject).flatMap(([value, pointer]) => objectsIn(value, pointer))

const asArray = (value: JsonValue | undefined): ReadonlyArray<JsonValue> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as JsonValue]

const isFalse = (value: JsonValue | undefined) =>
  value === false || (typeof value === "string" && /^false$/i.test(value))
const isTrue = (value: JsonValue | undefined) => value === true || (typeof value === "string" && /^true$/i.test(value))

// ── Policies ──────────────────────────────────────────────────────────────────

interface Statement {
  readonly statement: JsonObject
  readonly path: string
}

/** Every `Allow` statement of every policy document (any object with a `Statement`) the subject holds. */
const allowStatements = (subject: GuardrailSubject): ReadonlyArray<Statement> =>
  allObjects(subject).flatMap(([object, pointer]) => {
    const statements = object["Statement"]
    if (statements === undefined) return []
    const at = child(pointer, "Statement")
    const items: ReadonlyArray<readonly [JsonValue, string]> = Array.isArray(statements)
      ? statements.map((statement, i) => [statement, child(at, i)] as const)
      : [[statements, at]]
    return items.flatMap(([statement, path]) =>
      isJsonObject(statement) && typeof statement["Effect"] === "string" && /^allow$/i.test(statement["Effect"])
        ? [{ statement, path }]
        : []
    )
  })

const isWildcardAction = (value: JsonValue) => value === "*" || value === "*:*"

const principalIsPublic = (principal: JsonValue | undefined): boolean => {
  if (principal === "*") return true
  if (!isJsonObject(principal)) return false
  return asArray(principal["AWS"]).some((p) => p === "*")
}

const hasRestrictingCondition = (statement: JsonObject): boolean => {
  const condition = statement["Condition"]
  return (
    isJsonObject(condition) &&
    Object.values(condition).some((block) => isJsonObject(block) && Object.keys(block).length)
  )
}

// ── Security groups ───────────────────────────────────────────────────────────

const adminPorts = [22, 23, 445, 1433, 1521, 3306, 3389, 5432, 5439, 6379, 9200, 27017] as const
const openCidrs = new Set(["0.0.0.0/0", "::/0", "::0/0", "0:0:0:0:0:0:0:0/0"])

const portNumber = (value: JsonValue | undefined): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN
  return Number.isInteger(n) ? n : undefined
}

/** The administrative ports an ingress rule opens to the whole internet, or `undefined` when it does not. */
const openAdminPorts = (rule: JsonObject): ReadonlyArray<number> | "all" | undefined => {
  const cidr = [rule["CidrIp"], rule["CidrIpv6"]].find((c) => typeof c === "string" && openCidrs.has(c.trim()))
  if (cidr === undefined) return undefined
  const protocol = String(rule["IpProtocol"] ?? "").toLowerCase()
  if (protocol === "-1" || protocol === "all") return "all"
  if (!["tcp", "udp", "6", "17"].includes(protocol)) return undefined
  const from = portNumber(rule["FromPort"])
  const to = portNumber(rule["ToPort"])
  if (from === undefined || from === -1) return "all"
  const last = to === undefined || to === -1 ? from : to
  const covered = adminPorts.filter((port) => port >= from && port <= last)
  return covered.length ? covered : undefined
}

const ingressRules = (subject: GuardrailSubject): ReadonlyArray<readonly [JsonObject, string]> => {
  if (subject.typeName === "AWS::EC2::SecurityGroupIngress") return [[subject.properties, ""]]
  if (subject.typeName !== "AWS::EC2::SecurityGroup") return []
  return asArray(subject.properties["SecurityGroupIngress"]).flatMap((rule, i) =>
    isJsonObject(rule) ? [[rule, child("/SecurityGroupIngress", i)] as const] : []
  )
}

// ── Encryption in patches ─────────────────────────────────────────────────────

const encryptionSettings = new Set([
  "BucketEncryption",
  "KmsKeyId",
  "KmsMasterKeyId",
  "StorageEncrypted",
  "SSESpecification"
])
const lastSegment = (pointer: string) => unescapePointerSegment(pointer.split("/").pop() ?? "")

const patchDisablesEncryption = (op: PatchOperation): ReadonlyArray<GuardrailFinding> => {
  const name = lastSegment(op.path)
  if (op.op === "remove" && encryptionSettings.has(name)) {
    return [
      {
        path: op.path,
        reason: `The patch removes ${name}, which switches encryption off or back to a weaker default. Keep the setting; change the key instead of removing it.`
      }
    ]
  }
  if (op.op !== "replace" && op.op !== "add") return []
  if ((name === "StorageEncrypted" || name === "Encrypted") && isFalse(op.value as JsonValue)) {
    return [
      {
        path: op.path,
        reason: `The patch sets ${name} to false, so the data is stored unencrypted. Keep it true.`
      }
    ]
  }
  const sseOff =
    "sets SSEEnabled to false, which switches server-side encryption with a KMS key off. Keep SSEEnabled true."
  if (name === "SSEEnabled")
    return isFalse(op.value as JsonValue) ? [{ path: op.path, reason: `The patch ${sseOff}` }] : []
  return objectsIn(op.value, op.path)
    .filter(([object]) => isFalse(object["SSEEnabled"]))
    .map(([, pointer]) => ({ path: child(pointer, "SSEEnabled"), reason: `The patch ${sseOff}` }))
}

// ── The rules ─────────────────────────────────────────────────────────────────

/** The guardrails of DESIGN.md, always on unless an operator switches a rule off by id. */
export const guardrailRules: ReadonlyArray<GuardrailRule> = [
  {
    id: "iam-admin-wildcard",
    description: 'An IAM policy statement that allows every action ("*") on every resource ("*").',
    check: (subject) =>
      allowStatements(subject)
        .filter(
          ({ statement }) =>
            asArray(statement["Action"]).some(isWildcardAction) && asArray(statement["Resource"]).includes("*")
        )
        .map(({ path }) => ({
          path,
          reason:
            'This policy statement allows every action ("*") on every resource ("*"): full administrator access. List the actions and resources the workload needs instead.'
        }))
  },
  {
    id: "public-principal",
    description:
      'A policy statement that allows anyone (Principal "*" or {"AWS": "*"}) without a restricting Condition.',
    check: (subject) =>
      allowStatements(subject)
        .filter(({ statement }) => principalIsPublic(statement["Principal"]) && !hasRestrictingCondition(statement))
        .map(({ path }) => ({
          path,
          reason:
            'This policy statement allows any principal ("*"), so anyone on the internet can use it. Name the accounts or roles that need access, or add a Condition (for example aws:SourceAccount or aws:PrincipalOrgID).'
        }))
  },
  {
    id: "s3-public-access",
    description: "An S3 bucket or access point with a public ACL or with part of its public-access block switched off.",
    check: (subject) => {
      if (!subject.typeName.startsWith("AWS::S3::")) return []
      const findings: Array<GuardrailFinding> = []
      const block = subject.properties["PublicAccessBlockConfiguration"]
      if (isJsonObject(block)) {
        for (const flag of ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"]) {
          if (isFalse(block[flag])) {
            findings.push({
              path: `/PublicAccessBlockConfiguration/${flag}`,
              reason: `${flag} is false, which lets this bucket become public. Keep all four public-access block settings true; grant access to named principals instead.`
            })
          }
        }
      }
      const acl = subject.properties["AccessControl"]
      if (typeof acl === "string" && ["PublicRead", "PublicReadWrite", "AuthenticatedRead"].includes(acl)) {
        findings.push({
          path: "/AccessControl",
          reason: `AccessControl ${acl} grants access to ${acl === "AuthenticatedRead" ? "every AWS account" : "everyone on the internet"}. Use Private (the default) and grant access through a bucket policy to named principals.`
        })
      }
      return findings
    }
  },
  {
    id: "rds-public",
    description: "An RDS DB instance or cluster reachable from the internet (PubliclyAccessible: true).",
    check: (subject) =>
      (subject.typeName === "AWS::RDS::DBInstance" || subject.typeName === "AWS::RDS::DBCluster") &&
      isTrue(subject.properties["PubliclyAccessible"])
        ? [
            {
              path: "/PubliclyAccessible",
              reason:
                "PubliclyAccessible is true, which gives the database a public address. Set it to false and reach the database from inside the VPC."
            }
          ]
        : []
  },
  {
    id: "sg-open-admin-ports",
    description:
      "Security-group ingress from 0.0.0.0/0 or ::/0 to administrative or database ports (SSH, RDP, SQL, Redis, …) or to every port.",
    check: (subject) =>
      ingressRules(subject).flatMap(([rule, path]) => {
        const open = openAdminPorts(rule)
        if (open === undefined) return []
        const what = open === "all" ? "every port" : `port${open.length > 1 ? "s" : ""} ${open.join(", ")}`
        return [
          {
            path,
            reason: `This ingress rule opens ${what} to the whole internet (${String(rule["CidrIp"] ?? rule["CidrIpv6"])}). Allow only the address ranges or security groups that need access.`
          }
        ]
      })
  },
  {
    id: "lambda-url-no-auth",
    description: "A Lambda function URL that anyone can invoke (AuthType: NONE).",
    check: (subject) =>
      subject.typeName === "AWS::Lambda::Url" &&
      typeof subject.properties["AuthType"] === "string" &&
      subject.properties["AuthType"].toUpperCase() === "NONE"
        ? [
            {
              path: "/AuthType",
              reason:
                "AuthType NONE lets anyone on the internet invoke this function. Use AWS_IAM and sign the requests."
            }
          ]
        : []
  },
  {
    id: "encryption-disabled",
    description:
      "Encryption switched off: StorageEncrypted or Encrypted false, SqsManagedSseEnabled false without a KMS key, or a patch that removes or disables encryption.",
    check: (subject) => {
      const findings: Array<GuardrailFinding> = []
      for (const [object, pointer] of allObjects(subject)) {
        for (const key of ["StorageEncrypted", "Encrypted"]) {
          if (isFalse(object[key])) {
            findings.push({
              path: child(pointer, key),
              reason: `${key} is false, so the data is stored unencrypted. Set it to true (optionally with a KMS key).`
            })
          }
        }
        if (isFalse(object["SqsManagedSseEnabled"]) && object["KmsMasterKeyId"] === undefined) {
          findings.push({
            path: child(pointer, "SqsManagedSseEnabled"),
            reason:
              "SqsManagedSseEnabled is false and no KmsMasterKeyId is set, so the queue is not encrypted. Leave SQS-managed encryption on or set a KMS key."
          })
        }
      }
      return [...findings, ...(subject.patch ?? []).flatMap(patchDisablesEncryption)]
    }
  }
]

/** Every verdict the enabled rules give for a subject, each (rule, path) once; `disabled` holds rule ids an operator switched off. */
export const evaluateGuardrails = (
  subject: GuardrailSubject,
  disabled: ReadonlySet<string>
): ReadonlyArray<GuardrailVerdict> => {
  const seen = new Set<string>()
  return guardrailRules
    .filter((rule) => !disabled.has(rule.id) && (rule.operations ?? ["create", "update"]).includes(subject.operation))
    .flatMap((rule) => rule.check(subject).map((finding) => ({ rule: rule.id, ...finding })))
    .filter((verdict) => {
      const key = `${verdict.rule}\u0000${verdict.path}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
}
