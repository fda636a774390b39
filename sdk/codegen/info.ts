// The `info` output's rows for the schema and the reference docs, from the
// one table the kinds read the server's answers with (jetstream/tables/info.ts).
import { consumerInfoTable, infoRows, streamInfoTable } from "../jetstream/tables/info";
import type { InfoRow } from "../jetstream/tables/info";

export type InfoField = InfoRow;
export const streamInfoFields: InfoField[] = infoRows(streamInfoTable);
export const consumerInfoFields: InfoField[] = infoRows(consumerInfoTable);
