import {
  escapePointerSegment,
  Finding,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  ScanFailed,
  ScannerUnavailable,
  ScanReport,
  SecurityScanner
} from "@ccapi/core"
import { Effect, Layer } from "effect"

/** One check, as data: the types it applies to and whether a resource's properties pass it. */
export interface Rule {
  readonly id: string
  readonly title: string
  readonly types: ReadonlyArray<string>
  readonly passes: (properties: JsonObject) => boolean
}

export interface FakeSecurityScannerOptions {
  /** Behave like a machine without the scanner installed. */
  readonly unavailable?: boolean
  /** Behave like a scanner that crashes (the string is the reason). */
  readonly crash?: boolean | string
  /** Rules to use instead of the built-in ones. */
  readonly rules?: ReadonlyArray<Rule>
}

const truthy = (value: JsonValue | undefined): boolean => value === true || value === "true"

const asArray = (value: JsonValue | undefined): ReadonlyArray<JsonValue> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

const parsed = (value: JsonValue | undefined): JsonValue | undefined => {
  if (typeof value !== "string") return value
  try {
    return JSON.parse(value) as JsonValue
  } catch {
    return value
  }
}

/** Every `Allow` statement of the policy documents a resource holds (objects or JSON strings). */
const allowStatements = (properties: JsonObject): ReadonlyArray<JsonObject> => {
  const documents = [
    properties["PolicyDocument"],
    ...asArray(properties["Policies"]).map((p) => (isJsonObject(p) ? p["PolicyDocument"] : undefined))
  ].map(parsed)
  return documents
    .flatMap((doc) => (isJsonObject(doc) ? asArray(doc["Statement"]) : []))
    .filter((s): s is JsonObject => isJsonObject(s) && s["Effect"] === "Allow")
}

const hasStar = (value: JsonValue | undefined): boolean => asArray(value).some((v) => v === "*")
const starAction = (p: JsonObject) => allowStatements(p).some((s) => hasStar(s["Action"]))
const starOnStar = (p: JsonObject) => allowStatements(p).some((s) => hasStar(s["Action"]) && hasStar(s["Resource"]))
const wildcardWithoutConstraint = (p: JsonObject) =>
  allowStatements(p).some(
    (s) => asArray(s["Action"]).some((a) => typeof a === "string" && a.endsWith("*")) && hasStar(s["Resource"])
  )

const publicAccess = (flag: string) => (p: JsonObject) => {
  const block = p["PublicAccessBlockConfiguration"]
  return isJsonObject(block) && truthy(block[flag])
}

const openIngress = (port: number) => (p: JsonObject) =>
  !asArray(p["SecurityGroupIngress"]).some(
    (rule) =>
      isJsonObject(rule) &&
      (rule["CidrIp"] === "0.0.0.0/0" || rule["CidrIpv6"] === "::/0") &&
      Number(rule["FromPort"] ?? 0) <= port &&
      Number(rule["ToPort"] ?? 65535) >= port
  )

const iam = ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"]
const bucket = ["AWS::S3::Bucket"]
const rds = ["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"]

/** Checkov's ids and titles for the misconfigurations the fake recognises. */
export const defaultRules: ReadonlyArray<Rule> = [
  {
    id: "CKV_AWS_18",
    title: "Ensure the S3 bucket has access logging enabled",
    types: bucket,
    passes: (p) => isJsonObject(p["LoggingConfiguration"])
  },
  {
    id: "CKV_AWS_21",
    title: "Ensure all data stored in the S3 bucket have versioning enabled",
    types: bucket,
    passes: (p) => isJsonObject(p["VersioningConfiguration"]) && p["VersioningConfiguration"]["Status"] === "Enabled"
  },
  {
    id: "CKV_AWS_53",
    title: "Ensure S3 bucket has block public ACLS enabled",
    types: bucket,
    passes: publicAccess("BlockPublicAcls")
  },
  {
    id: "CKV_AWS_54",
    title: "Ensure S3 bucket has block public policy enabled",
    types: bucket,
    passes: publicAccess("BlockPublicPolicy")
  },
  {
    id: "CKV_AWS_55",
    title: "Ensure S3 bucket has ignore public ACLs enabled",
    types: bucket,
    passes: publicAccess("IgnorePublicAcls")
  },
  {
    id: "CKV_AWS_56",
    title: "Ensure S3 bucket has 'restrict_public_buckets' enabled",
    types: bucket,
    passes: publicAccess("RestrictPublicBuckets")
  },
  {
    id: "CKV_AWS_62",
    title: 'Ensure no IAM policies that allow full "*-*" administrative privileges are not created',
    types: iam,
    passes: (p) => !starOnStar(p)
  },
  {
    id: "CKV_AWS_63",
    title: 'Ensure no IAM policies documents allow "*" as a statement\'s actions',
    types: iam,
    passes: (p) => !starAction(p)
  },
  ...(
    [
      ["CKV_AWS_107", "Ensure IAM policies does not allow credentials exposure"],
      ["CKV_AWS_108", "Ensure IAM policies does not allow data exfiltration"],
      [
        "CKV_AWS_109",
        "Ensure IAM policies does not allow permissions management / resource exposure without constraints"
      ],
      ["CKV_AWS_110", "Ensure IAM policies does not allow privilege escalation"],
      ["CKV_AWS_111", "Ensure IAM policies does not allow write access without constraints"]
    ] as const
  ).map(([id, title]) => ({ id, title, types: iam, passes: (p: JsonObject) => !wildcardWithoutConstraint(p) })),
  {
    id: "CKV_AWS_24",
    title: "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
    types: ["AWS::EC2::SecurityGroup"],
    passes: openIngress(22)
  },
  {
    id: "CKV_AWS_25",
    title: "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
    types: ["AWS::EC2::SecurityGroup"],
    passes: openIngress(3389)
  },
  {
    id: "CKV_AWS_27",
    title: "Ensure all data stored in the SQS queue is encrypted",
    types: ["AWS::SQS::Queue"],
    passes: (p) => typeof p["KmsMasterKeyId"] === "string" || truthy(p["SqsManagedSseEnabled"])
  },
  {
    id: "CKV_AWS_16",
    title: "Ensure all data stored in the RDS is securely encrypted at rest",
    types: rds,
    passes: (p) => truthy(p["StorageEncrypted"])
  },
  {
    id: "CKV_AWS_17",
    title: "Ensure all data stored in RDS is not publicly accessible",
    types: rds,
    passes: (p) => !truthy(p["PubliclyAccessible"])
  }
]

/** Apply rules to every resource of a CloudFormation template, reporting the way the Checkov adapter does. */
export const scanTemplate = (template: JsonObject, rules: ReadonlyArray<Rule> = defaultRules): ScanReport => {
  const resources = isJsonObject(template["Resources"]) ? template["Resources"] : {}
  const findings: Array<Finding> = []
  const passed = new Set<string>()
  let passes = 0
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isJsonObject(resource) || typeof resource["Type"] !== "string") continue
    const type = resource["Type"]
    const properties = isJsonObject(resource["Properties"]) ? resource["Properties"] : {}
    for (const rule of rules.filter((r) => r.types.includes(type))) {
      if (rule.passes(properties)) {
        passes++
        passed.add(rule.id)
      } else
        findings.push(
          new Finding({
            checkId: rule.id,
            title: rule.title,
            resource: `${type}.${logicalId}`,
            severity: null,
            guideline: null,
            location: `/Resources/${escapePointerSegment(logicalId)}`
          })
        )
    }
  }
  return new ScanReport({
    scanner: "fake-checkov",
    scannerVersion: "0.0.0",
    passed: passes,
    failed: findings.length,
    skipped: 0,
    findings,
    passedCheckIds: [...passed].sort()
  })
}

/** A rule-based `SecurityScanner` with Checkov's check ids; can be unavailable or crash on demand. */
export const make = (options: FakeSecurityScannerOptions = {}): SecurityScanner["Service"] => ({
  scan: (template) => {
    if (options.unavailable === true)
      return Effect.fail(
        new ScannerUnavailable({
          message: "Checkov is not installed. Install it (pip install checkov) or ask the operator to disable scanning."
        })
      )
    if (options.crash !== undefined && options.crash !== false) {
      const reason = typeof options.crash === "string" ? options.crash : "the scanner exited with status 2"
      return Effect.fail(new ScanFailed({ reason, message: `The security scan failed: ${reason}. Retry the scan.` }))
    }
    return Effect.sync(() => scanTemplate(template, options.rules))
  }
})

/** `SecurityScanner` for tests, with the built-in rules unless told otherwise. */
export const layerTest = (options: FakeSecurityScannerOptions = {}): Layer.Layer<SecurityScanner> =>
  Layer.succeed(SecurityScanner, make(options))
