// States written before sizes followed NATS's units hold strings such as
// "10GB" that those versions sent to the server as 10×1000³ bytes; read today
// the same text is 10×1024³. Comparing the recorded text with the program's
// would find no change while the server still holds the old limit: a silent
// difference. So recorded inputs or outputs without the SIZE_UNITS mark have
// their size strings read the old way, the diff shows the update to the NATS
// size, and the preview explains it (sizeUnitsChange). `check` adds the mark
// to the inputs and every create and update to the outputs, so once applied
// the text means what NATS means; a refresh leaves the state as it was.
import { size } from "./fields";
import type { Field } from "./fields";
import { parseLegacySize, parseSize } from "./units";
import type { SizeInput } from "./units";

/** Output key marking a state whose size strings are read as NATS reads them. */
export const SIZE_UNITS_KEY = "sizeUnits";
export const SIZE_UNITS = "nats";

type Props = Record<string, unknown>;

function currentBytes(value: SizeInput): number | undefined {
  try {
    return parseSize(value);
  } catch {
    return undefined;
  }
}

/** The size rows whose recorded text an earlier version read as other bytes than NATS does. */
function legacyRows(rows: readonly Field[], recorded: Props): { row: Field; text: string; bytes: number }[] {
  if (recorded[SIZE_UNITS_KEY] === SIZE_UNITS) return [];
  const out: { row: Field; text: string; bytes: number }[] = [];
  for (const row of rows) {
    const text = recorded[row.key];
    if (row.codec !== size || typeof text !== "string") continue;
    const bytes = parseLegacySize(text);
    if (bytes !== undefined && bytes !== currentBytes(text)) out.push({ row, text, bytes });
  }
  return out;
}

/**
 * The recorded configuration as the server received it: size strings of a
 * state written before NATS units become the byte counts sent then.
 */
export function asRecorded(rows: readonly Field[], recorded: Props, config: Props): Props {
  const legacy = legacyRows(rows, recorded);
  if (!legacy.length) return config;
  const out = { ...config };
  for (const { row, bytes } of legacy) out[row.key] = bytes;
  return out;
}

/** The preview's explanation of the sizes whose meaning changed, or undefined. */
export function sizeUnitsNote(rows: readonly Field[], recorded: Props, news: Props): string | undefined {
  const notes = legacyRows(rows, recorded).map(({ row, text, bytes }) => {
    const next = news[row.key];
    const nextBytes = next === undefined ? undefined : currentBytes(next as SizeInput);
    const target = nextBytes === undefined ? "" : `; this update sets ${nextBytes} bytes`;
    return (
      `${row.key} "${text}" was sent as ${bytes} bytes by earlier versions; sizes now follow NATS ` +
      `(KB, MB, GB... = 1024, 1024², 1024³..., as nats-server and the NATS CLI read them)${target}. ` +
      `Write ${bytes} to keep the old size`
    );
  });
  return notes.length ? notes.join(". ") + "." : undefined;
}
