// The floor of the dynamic-provider path: as many dynamic resources as the
// stream programs, whose provider does nothing (one provider object for all,
// as the package's own resources share one per kind).
import * as pulumi from "@pulumi/pulumi";
import { benchStreams } from "./settings";

const provider: pulumi.dynamic.ResourceProvider = {
  create: async (inputs) => ({ id: String(inputs.name), outs: inputs }),
  delete: async () => {},
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, args: { name: string; subjects: string[] }) {
    super(provider, name, args, {}, "bench", "Noop");
  }
}

for (const s of benchStreams()) new Noop(s.resource, { name: s.name, subjects: s.subjects });
