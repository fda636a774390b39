// The same TypeScript program with the resources served by the nats provider
// plugin (`pulumi-nats/plugin`; the project's Pulumi.yaml names the plugin).
import { Stream } from "../../sdk/jetstream/plugin";
import { benchServers, benchStreams } from "./settings";

const servers = benchServers();
for (const s of benchStreams()) {
  new Stream(s.resource, {
    connection: { servers },
    name: s.name,
    subjects: s.subjects,
    storage: "file",
    replicas: 3,
  });
}
