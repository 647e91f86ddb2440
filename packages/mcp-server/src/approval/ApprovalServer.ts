import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** A listener for the approval page: loopback only, an ephemeral port; the handler answers what it serves, 404 else. */
export interface ApprovalListener {
  readonly origin: string
  readonly hosts: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

export const listenOnLoopback = (
  handle: (req: IncomingMessage, res: ServerResponse) => boolean
): Promise<ApprovalListener> =>
  new Promise((resolve, reject) => {
    const server: Server = createServer((req, res) => {
      if (!handle(req, res)) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
        res.end("Not found")
      }
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.off("error", reject)
      resolve({
        origin: `http://127.0.0.1:${port}`,
        hosts: [`127.0.0.1:${port}`, `localhost:${port}`],
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
