// Free TCP ports on 127.0.0.1 for test servers.
//
// Ports are drawn at random from 20000-32767, below Linux's ephemeral range
// (32768-60999), so the local ports of outgoing connections never take them,
// and each candidate is checked by binding it. A port handed out once is not
// handed out again by this process. Another process can still take a port
// between the check and the server's bind: server.ts retries a start that
// fails with "address already in use" on fresh ports.
import net from "node:net";

const LOW = 20000;
const HIGH = 32767;
const handedOut = new Set<number>();

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen({ host: "127.0.0.1", port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** One free port on 127.0.0.1, never returned before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await isPortFree(port)) return port;
  }
  throw new Error("harness: no free port found on 127.0.0.1 after 200 tries");
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}
