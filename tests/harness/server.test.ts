// The harness's single server: a real nats-server with JetStream, its
// options, its lifecycle and its failure reports.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { jetstreamManager, jetstream, StorageType } from "@nats-io/jetstream";
import {
  binaries,
  isProcessAlive,
  repoRoot,
  startServer,
  PortInUseError,
  TEMP_PREFIX,
  type NatsServer,
} from "./index";

describe("harness: binaries", () => {
  it("finds nats-server and the NATS CLI in the repository's .cache/bin", () => {
    const { server, cli } = binaries();
    assert.equal(server, path.join(repoRoot(), ".cache", "bin", "nats-server"));
    assert.equal(cli, path.join(repoRoot(), ".cache", "bin", "nats"));
  });
});

describe("harness: single server", function () {
  this.timeout(20_000);
  let server: NatsServer;

  before(async () => {
    server = await startServer({
      serverName: "single",
      tags: ["az:a"],
      jetstreamDomain: "hub",
      maxMemoryStore: "64MB",
    });
  });
  after(() => server?.destroy());

  it("runs JetStream on 127.0.0.1 with the options given", async () => {
    assert.match(server.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.monitorUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.isRunning, true);
    const nc = await server.connect();
    try {
      assert.equal(nc.info?.server_name, "single");
      assert.equal(nc.info?.jetstream, true);
      assert.equal(nc.info?.version, "2.14.2");
      const account = await (await jetstreamManager(nc, { domain: "hub" })).getAccountInfo();
      assert.equal(account.domain, "hub");
    } finally {
      await nc.close();
    }
    const jsz = await server.jsz();
    assert.equal(jsz.config?.store_dir, path.join(server.storeDir, "jetstream"));
    assert.equal(jsz.config?.max_memory, 64 * 1024 * 1024);
    assert.equal(jsz.config?.max_storage, 1024 * 1024 * 1024, "default maxFileStore is 1GB");
    const varz = await server.varz<{ tags?: string[]; host: string }>();
    assert.deepEqual(varz.tags, ["az:a"]);
    assert.equal(varz.host, "127.0.0.1");
  });

  it("creates a stream, stores published messages and reads them back", async () => {
    const nc = await server.connect();
    try {
      const jsm = await jetstreamManager(nc, { domain: "hub" });
      await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], storage: StorageType.File });
      const js = jetstream(nc, { domain: "hub" });
      for (let i = 1; i <= 5; i++) {
        const ack = await js.publish(`orders.${i}`, `order ${i}`);
        assert.equal(ack.seq, i);
        assert.equal(ack.stream, "ORDERS");
      }
      const info = await jsm.streams.info("ORDERS");
      assert.equal(info.state.messages, 5);
      assert.equal(info.state.last_seq, 5);
      const third = await jsm.streams.getMessage("ORDERS", { seq: 3 });
      assert.equal(third?.subject, "orders.3");
      assert.equal(third?.string(), "order 3");
    } finally {
      await nc.close();
    }
  });

  it("keeps its log lines and writes them to a file", () => {
    assert.ok(server.logs().some((l) => l.includes("Server is ready")));
    assert.ok(fs.readFileSync(server.logFile, "utf8").includes("Server is ready"));
  });

  it("restarts after SIGKILL with the same ports and store: the stream's messages survive", async () => {
    const ports = server.ports;
    const pid = server.pid;
    assert.ok(pid);
    await server.kill();
    assert.equal(server.isRunning, false);
    assert.equal(server.exitStatus?.signal, "SIGKILL");
    assert.equal(isProcessAlive(pid), false);

    await server.start();
    assert.deepEqual(server.ports, ports);
    assert.notEqual(server.pid, pid);
    const nc = await server.connect();
    try {
      const info = await (await jetstreamManager(nc, { domain: "hub" })).streams.info("ORDERS");
      assert.equal(info.state.messages, 5);
      assert.equal(info.state.last_seq, 5);
    } finally {
      await nc.close();
    }
  });

  it("stops gracefully with SIGTERM and restart() brings it back", async () => {
    await server.stop();
    assert.equal(server.isRunning, false);
    assert.ok(server.exitStatus);
    assert.ok(
      server.logs().some((l) => /Server Exiting/i.test(l)),
      "a graceful shutdown is logged",
    );
    await server.restart();
    assert.equal(server.isRunning, true);
    assert.equal((await server.healthz()).body.status, "ok");
  });

  it("start() waits for a port held by someone else, and reports it at once with portInUse: 'throw'", async () => {
    await server.stop();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(server.ports.client, "127.0.0.1", r));
    try {
      await assert.rejects(server.start({ portInUse: "throw" }), PortInUseError);
      assert.equal(server.isRunning, false);
      setTimeout(() => squatter.close(), 400);
      await server.start({ timeoutMs: 10_000 });
      assert.equal(server.isRunning, true);
    } finally {
      squatter.close();
    }
  });
});

describe("harness: server options and failures", function () {
  this.timeout(20_000);

  it("runs without JetStream when asked", async () => {
    const server = await startServer({ jetstream: false });
    try {
      const nc = await server.connect();
      try {
        assert.equal(nc.info?.jetstream ?? false, false);
        await assert.rejects(async () => (await jetstreamManager(nc)).getAccountInfo());
      } finally {
        await nc.close();
      }
    } finally {
      await server.destroy();
    }
  });

  it("applies extraConfig", async () => {
    const server = await startServer({ extraConfig: "max_payload: 65536" });
    try {
      const varz = await server.varz<{ max_payload: number }>();
      assert.equal(varz.max_payload, 65536);
    } finally {
      await server.destroy();
    }
  });

  it("fails a start with the server's own error and removes the temp dir", async () => {
    const ours = (): string[] =>
      fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`${TEMP_PREFIX}broken-`));
    const before = ours();
    await assert.rejects(
      startServer({ serverName: "broken", extraConfig: "this is { not valid" }),
      (err: Error) => {
        assert.match(err.message, /broken/);
        assert.match(err.message, /exited/);
        assert.match(err.message, /last log lines/);
        return true;
      },
    );
    assert.deepEqual(ours(), before);
  });
});
