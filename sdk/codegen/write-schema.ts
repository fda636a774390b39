// `npm run schema`: writes schema.json at the repository root from the code.
// `node bin/sdk/codegen/write-schema.js --jetstream-only <file>`: the schema
// without NatsCluster (SDKs of the JetStream resources need no kubernetes plugin).
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSchema, jetstreamOnlySchema, schemaText } from "./schema";

const root = path.resolve(__dirname, "../../..");
const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
const [flag, file] = process.argv.slice(2);
if (flag === "--jetstream-only") {
  if (!file) throw new Error("write-schema: --jetstream-only needs the file to write");
  fs.writeFileSync(file, JSON.stringify(jetstreamOnlySchema(buildSchema(version)), null, 2) + "\n");
  console.log(`wrote ${file}`);
} else {
  const target = path.join(root, "schema.json");
  fs.writeFileSync(target, schemaText(version));
  console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
}
