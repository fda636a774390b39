// What removing an asset destroys, counted before anything is removed
// (issue 14, points 1 and 5), against a real server: a consumer of an
// interest stream, and the inventory's diff and delete.
import assert from "node:assert/strict";
import { startServer } from "../harness";
import type { NatsServer } from "../harness";
import { DataLossError } from "../../sdk/jetstream/errors";
import { inventory } from "../../sdk/jetstream/inventory";
import type { InventoryEntry } from "../../sdk/jetstream/inventory";
import { closeSessions, cores, publish, withConnection } from "./support";
import { ctxFor } from "./table-runner";

const urn = (type: string, name: string) =>
  `urn:pulumi:dev::app::pulumi-nodejs:dynamic/jetstream:${type}::${name}`;

describe("removals: counted on the server before anything goes", function () {
  this.timeout(30_000);
  let server: NatsServer;
  const stream = cores.stream;
  const consumer = cores.consumer;

  before(async () => {
    server = await startServer({});
  });
  after(async () => {
    await closeSessions();
    await server.stop();
  });
  const api = async () => (await stream.session(withConnection(server, {}))).api;
  const messages = async (name: string) => (await (await api()).streamInfo(name)).state.messages;
  async function ack(streamName: string, name: string, count: number) {
    const nc = await server.connect();
    const { jetstream } = await import("@nats-io/jetstream");
    const c = await jetstream(nc).consumers.get(streamName, name);
    for (let done = 0; done < count;) {
      const m = await c.next({ expires: 5000 });
      if (!m) continue;
      await m.ackAck();
      done++;
    }
    await nc.close();
  }
  async function interestStream(prefix: string, consumers: string[]) {
    const c = ctxFor(prefix, server);
    const s = await stream.create(
      withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "memory",
        retention: "interest",
        owner: urn("Stream", c.name),
      }),
    );
    const made = [];
    for (const name of consumers)
      made.push(
        await consumer.create(
          withConnection(server, {
            stream: c.name,
            name,
            ackPolicy: "explicit",
            owner: urn("Consumer", name),
          }),
        ),
      );
    return { c, s, consumers: made };
  }

  it("deleting the last consumer of an interest stream is refused with the count (it emptied the stream: 5 -> 0)", async () => {
    const { c, consumers } = await interestStream("IL", ["ci"]);
    await publish(server, `${c.subj}.x`, 5);
    const [ci] = consumers;
    await assert.rejects(consumer.delete(ci.id, ci.outs), (err: Error) => {
      assert.ok(err instanceof DataLossError);
      assert.match(err.message, new RegExp(`Consumer ${c.name}/ci: deleting it would destroy messages`));
      assert.match(err.message, /drops 5 messages/);
      assert.match(err.message, /allowDataLoss: true/);
      return true;
    });
    assert.equal(await messages(c.name), 5, "nothing dropped");
    await consumer.delete(ci.id, { ...ci.outs, allowDataLoss: true });
    assert.equal(await messages(c.name), 0, "agreed: the server dropped them");
  });

  it("one of two consumers: counts exactly what only it held", async () => {
    const { c, consumers } = await interestStream("I2", ["a", "b"]);
    await publish(server, `${c.subj}.x`, 5);
    await ack(c.name, "a", 3);
    const [, b] = consumers;
    await assert.rejects(consumer.delete(b.id, b.outs), /drops 3 messages/);
    await consumer.delete(b.id, { ...b.outs, allowDataLoss: true });
    assert.equal(await messages(c.name), 2, "the server dropped the 3 counted");
  });

  it("a consumer replaced with its stream, whose replacement was agreed to, is deleted without a second refusal", async () => {
    const { c, s, consumers } = await interestStream("IR", ["ci"]);
    await publish(server, `${c.subj}.x`, 5);
    const news = { ...s.outs, storage: "file", allowDataLoss: true };
    const diff = await stream.diff(s.id, s.outs, news);
    assert.deepEqual(diff.replaces, ["storage"]);
    const [ci] = consumers;
    await consumer.delete(ci.id, ci.outs);
    await stream.delete(s.id, s.outs);
    await assert.rejects((await api()).streamInfo(c.name));
  });

  it("a work-queue stream keeps its messages when its consumer goes: no refusal", async () => {
    const c = ctxFor("WQ", server);
    await stream.create(
      withConnection(server, {
        name: c.name,
        subjects: [`${c.subj}.>`],
        storage: "memory",
        retention: "workqueue",
      }),
    );
    const w = await consumer.create(
      withConnection(server, { stream: c.name, name: "w", ackPolicy: "explicit" }),
    );
    await publish(server, `${c.subj}.x`, 5);
    await consumer.delete(w.id, w.outs);
    assert.equal(await messages(c.name), 5);
  });

  describe("the inventory", () => {
    const entry = (kind: InventoryEntry["kind"], id: string, resource: string, allowDataLoss = false) => ({
      kind,
      id,
      resource,
      allowDataLoss,
    });

    it("its diff refuses the removal of a stream holding messages, and of an interest stream's last consumer, with the counts", async () => {
      const { c } = await interestStream("IV", ["ci"]);
      const orders = ctxFor("IO", server);
      await stream.create(
        withConnection(server, {
          name: orders.name,
          subjects: [`${orders.subj}.>`],
          storage: "memory",
          owner: urn("Stream", "orders"),
        }),
      );
      await publish(server, `${orders.subj}.x`, 7);
      await publish(server, `${c.subj}.x`, 4);
      const all = [
        entry("stream", orders.name, urn("Stream", "orders")),
        entry("stream", c.name, urn("Stream", c.name)),
        entry("consumer", `${c.name}/ci`, urn("Consumer", "ci")),
      ];
      const olds = withConnection(server, { assets: all });
      assert.deepEqual(await inventory.diff(olds, withConnection(server, { assets: all })), {
        changes: false,
        replaces: [],
      });
      await assert.rejects(
        inventory.diff(olds, withConnection(server, { assets: [all[1]] })),
        (err: Error) => {
          assert.match(
            err.message,
            /removing from the program these JetStream assets would destroy messages/,
          );
          assert.match(err.message, new RegExp(`Stream ${orders.name} holds 7 messages`));
          assert.match(err.message, new RegExp(`Consumer ${c.name}/ci: .* drops 4 messages`));
          assert.match(err.message, /pulumi state delete/);
          return true;
        },
      );
      // Its stream goes too: counted once, with the stream.
      await assert.rejects(
        inventory.diff(olds, withConnection(server, { assets: [all[0]] })),
        (err: Error) => {
          assert.match(err.message, new RegExp(`Stream ${c.name} holds 4 messages`));
          assert.doesNotMatch(err.message, /Consumer/);
          return true;
        },
      );
      // A renamed resource keeps the line: not a removal.
      const renamed = [entry("stream", orders.name, urn("Stream", "orders-v2")), all[1], all[2]];
      assert.equal((await inventory.diff(olds, withConnection(server, { assets: renamed }))).changes, true);
      // Agreed on the removed resource: allowed.
      const agreed = withConnection(server, { assets: [{ ...all[0], allowDataLoss: true }, all[1], all[2]] });
      await inventory.diff(agreed, withConnection(server, { assets: all.slice(1) }));
      // destroy: every asset counted; nothing deleted.
      await assert.rejects(
        inventory.delete(olds),
        /destroying these JetStream assets would destroy messages/,
      );
      assert.equal(await messages(orders.name), 7);
      assert.equal(await messages(c.name), 4);
    });

    it("an asset another resource took over is not counted (its delete removes nothing)", async () => {
      const c = ctxFor("IT", server);
      const config = { name: c.name, subjects: [`${c.subj}.>`], storage: "memory" };
      await stream.create(withConnection(server, { ...config, owner: urn("Stream", "a") }));
      await publish(server, `${c.subj}.x`, 3);
      await stream.create(withConnection(server, { ...config, owner: urn("Stream", "b") }));
      const olds = withConnection(server, { assets: [entry("stream", c.name, urn("Stream", "a"))] });
      await inventory.diff(olds, withConnection(server, { assets: [] }));
      await inventory.delete(olds);
      assert.equal(await messages(c.name), 3);
    });

    it("check names a duplicated or unknown entry", () => {
      const { failures } = inventory.check(
        withConnection(server, {
          assets: [
            entry("stream", "S", urn("Stream", "s")),
            entry("stream", "S", urn("Stream", "t")),
            { id: "x" },
          ],
        }),
      );
      assert.deepEqual(
        failures.map((f) => f.property),
        ["assets[1]", "assets[2]"],
      );
    });
  });
});
