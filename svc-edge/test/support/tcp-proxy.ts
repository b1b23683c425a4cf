import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy that a test can cut: it drops every proxied connection and,
 * while blocked, refuses new ones. Put between a service and NATS, it gives
 * the service a real disconnect and reconnect while NATS stays up for the
 * test itself.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private blocked = false;

  private readonly server: Server;
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and forwards to the target. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", () => resolve()));
    const address = proxy.server.address();
    proxy.port = typeof address === "object" && address ? address.port : 0;
    return proxy;
  }

  /** Drops every open connection and refuses new ones until unblock(). */
  cut(): void {
    this.blocked = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  unblock(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    if (this.blocked) return void client.destroy();
    const upstream = createConnection(this.targetPort, this.targetHost);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a);
      a.pipe(b);
      a.on("error", () => b.destroy());
      a.on("close", () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  }
}
