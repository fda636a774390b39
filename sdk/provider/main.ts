// The plugin process: `node bin/sdk/provider/main.js <engine-address>` serves
// the nats provider over gRPC and prints its port, as the engine expects of
// `pulumi-resource-nats` (see ./pulumi-resource-nats and docs/other-languages.md).
import { NatsProvider } from "./provider";
import { serve } from "./serve";

serve(NatsProvider.fromFile(), process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
