/** `PropertyValidator` over Ajv: CloudFormation provider schemas → violations with JSON pointers. */
export * as AjvPropertyValidator from "./AjvPropertyValidator.js"
