import { request as httpRequest } from "node:http"

/** The status of a raw HTTP GET of `link` with a chosen Host header (fetch cannot set one): DNS-rebinding tests. */
export const statusWithHost = (link: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const url = new URL(link)
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on("error", reject)
    req.end()
  })
