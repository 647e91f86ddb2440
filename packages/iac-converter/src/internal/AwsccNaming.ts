/*
 * The Terraform names the `awscc` provider gives CloudFormation types and properties. Its generator snake-cases a
 * CloudFormation name like this: a few brand names are first spelled as one word (CloudFormation → Cloudformation,
 * CloudFront, CloudWatch, FSx), then an underscore goes where a lower-case letter meets an upper-case letter or a digit,
 * where a digit meets a letter, and before the last capital of a run of capitals followed by a lower-case letter
 * (`VPCEndpoint` → `vpc_endpoint`); everything else that is not a letter or a digit becomes `_`.
 * A type `AWS::Service::Resource` is `awscc_<service lower-cased>_<resource snake-cased>`.
 */

const brandNames: ReadonlyArray<readonly [string, string]> = [
  ["CloudFormation", "Cloudformation"],
  ["CloudFront", "Cloudfront"],
  ["CloudWatch", "Cloudwatch"],
  ["FSx", "Fsx"]
]

const isUpper = (ch: string | undefined) => ch !== undefined && ch >= "A" && ch <= "Z"
const isLower = (ch: string | undefined) => ch !== undefined && ch >= "a" && ch <= "z"
const isDigit = (ch: string | undefined) => ch !== undefined && ch >= "0" && ch <= "9"

/** The awscc attribute name of a CloudFormation property name: `BucketName` → `bucket_name`, `VPCId` → `vpc_id`. */
export const attributeName = (propertyName: string): string => {
  let name = propertyName.trim()
  for (const [from, to] of brandNames) name = name.split(from).join(to)
  let out = ""
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!
    const next = name[i + 1]
    const lower = ch.toLowerCase()
    if (isUpper(ch) && isLower(next)) {
      out += (i > 0 && isUpper(name[i - 1]) ? "_" : "") + lower
    } else if (isLower(ch) && (isUpper(next) || isDigit(next))) {
      out += `${ch}_`
    } else if (isDigit(ch) && (isUpper(next) || isLower(next))) {
      out += `${ch}_`
    } else {
      out += isUpper(ch) || isLower(ch) || isDigit(ch) ? lower : "_"
    }
  }
  return out
}

/** The awscc resource type of a CloudFormation type: `AWS::S3::Bucket` → `awscc_s3_bucket`; undefined for others. */
export const resourceTypeName = (typeName: string): string | undefined => {
  const match = /^AWS::([A-Za-z0-9]{2,64})::([A-Za-z0-9]{2,64})$/.exec(typeName)
  if (match === null) return undefined
  return `awscc_${match[1]!.toLowerCase()}_${attributeName(match[2]!)}`
}

/** A Terraform block label for a logical id: `EC2VPCVpc0a1b` → `ec2_vpc_vpc0a1b`, starting with a letter. */
export const localName = (logicalId: string): string => {
  const name = logicalId
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "")
  return /^[a-z]/.test(name) ? name : `r_${name}`
}
