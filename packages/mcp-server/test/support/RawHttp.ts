import { type IncomingHttpHeaders, request as httpRequest } from "node:http"

/** A raw HTTP request with any headers, `Host` included (fetch cannot set one): what a proxy or a rebinding page sends. */
export const rawRequest = (
  link: string,
  options: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string } = {}
) =>
  new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const url = new URL(link)
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? "GET",
        path: `${url.pathname}${url.search}`,
        headers: options.headers ?? {}
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") })
        )
      }
    )
    req.on("error", reject)
    req.end(options.body)
  })

/** The status of a GET of `link` with a chosen Host header: DNS-rebinding tests. */
export const statusWithHost = async (link: string, host: string) =>
  (await rawRequest(link, { headers: { host } })).status
