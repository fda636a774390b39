// `npm run schema`: writes schema.json at the repository root from the code.
import * as fs from "node:fs";
import * as path from "node:path";
import { schemaText } from "./schema";

const root = path.resolve(__dirname, "../../..");
const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
const target = path.join(root, "schema.json");
fs.writeFileSync(target, schemaText(version));
console.log(`wrote ${path.relative(process.cwd(), target) || target}`);
