// A TypeScript program as a user writes it: R3 file streams through the
// package's default resources (the dynamic provider, nothing to install).
import { Stream } from "../../sdk";
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
