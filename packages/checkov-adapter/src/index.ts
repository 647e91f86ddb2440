export * as CheckovScanner from "./CheckovScanner.js"
