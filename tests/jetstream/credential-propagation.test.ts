// A new or rotated credential reaches a Kubernetes cluster's servers late: the
// kubelet syncs the Secret volume (up to about a minute) and the chart's
// reloader then reloads the server. A Stream created in the same `pulumi up`
// through that user's connection must wait for it, not fail at the first
// refusal; a credential that stays refused still fails, naming the cause.
import assert from "node:assert/strict";
import fs from "node:fs";
import { startServer, waitFor, type NatsServer } from "../harness";
import { closeAll, connectionsOpened, session } from "../../sdk/jetstream/connection";

describe("jetstream connection: refused credentials", function () {
  this.timeout(60_000);
  let server: NatsServer;

  beforeEach(async () => {
    server = await startServer({ auth: { type: "user", user: "app", password: "old-Pa55word" } });
  });
  afterEach(async () => {
    await closeAll();
    await server?.stop();
  });

  it("are retried until the servers reload the new password (no restart)", async () => {
    const before = connectionsOpened();
    const opening = session({
      servers: [server.url],
      user: "app",
      password: "new-Pa55word",
      readyTimeout: "40s",
    });
    // A second attempt has begun: the first was refused.
    await waitFor(async () => (connectionsOpened() >= before + 2 ? true : undefined), {
      what: "a retry after the refusal",
      timeoutMs: 20_000,
    });
    const conf = fs.readFileSync(server.configFile, "utf8");
    assert.ok(conf.includes("old-Pa55word"));
    fs.writeFileSync(server.configFile, conf.split("old-Pa55word").join("new-Pa55word"));
    process.kill(server.pid!, "SIGHUP"); // what the chart's config reloader does
    const s = await opening;
    assert.ok(s.nc.info?.server_id, "connected with the new password");
  });

  it("fail with the cause once refused for longer than readyTimeout", async () => {
    const started = Date.now();
    await assert.rejects(
      session({ servers: [server.url], user: "app", password: "wrong-Pa55word", readyTimeout: "3s" }),
      (err: Error) => {
        assert.match(err.message, /Authorization Violation/i);
        assert.match(err.message, /check the credentials/);
        return true;
      },
    );
    assert.ok(Date.now() - started >= 3000, "retried for readyTimeout");
  });
});
