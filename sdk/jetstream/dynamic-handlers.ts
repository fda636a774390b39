// The dynamic provider's methods, on top of the provider core. This module is
// loaded by the dynamic provider host at run time (see dynamic.ts), so it
// must stay free of program-time state: every call gets its inputs and the
// connection from the resource's own (secret) properties.
import { cores } from "./core";
import type { CoreName, Props } from "./core";
import { inventory } from "./inventory";
import { sizeUnitsNote } from "./legacy-units";
import { quietly } from "./quiet-refusals";

export interface DynamicHandlers {
  check(
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

/** Preview notes of the last check with old inputs, per asset (see check). */
const notes = new Map<string, Record<string, string>>();

function idOf(core: (typeof cores)[CoreName], props: Props): string {
  try {
    return core.kind.id(core.config(props));
  } catch {
    return "";
  }
}

/** The note explaining sizes an earlier version read otherwise (see legacy-units.ts). */
export function sizeUnitsChange(core: (typeof cores)[CoreName], olds: Props | undefined, news: Props) {
  if (!olds || !Object.keys(core.config(olds)).length) return {};
  const note = sizeUnitsNote(core.kind.rows, olds, news);
  return note ? { sizeUnitsChange: note } : {};
}

export function handlers(name: CoreName): DynamicHandlers {
  const h = unquietHandlers(name);
  // Every method reports an expected refusal once, through the engine (quiet-refusals.ts).
  return {
    check: (olds, news) => quietly(() => h.check(olds, news)),
    diff: (id, olds, news) => quietly(() => h.diff(id, olds, news)),
    create: (inputs) => quietly(() => h.create(inputs)),
    read: (id, props) => quietly(() => h.read(id, props)),
    update: (id, olds, news) => quietly(() => h.update(id, olds, news)),
    delete: (id, props) => quietly(() => h.delete(id, props)),
  };
}

function unquietHandlers(name: CoreName): DynamicHandlers {
  const core = cores[name];
  return {
    async check(olds, news) {
      const checked = core.check(news);
      if (checked.failures.length) return checked;
      // Shown by `pulumi preview --diff` beside the inputs: a migration and what
      // it does, or the number of messages an agreed replacement destroys.
      // Never compared by diff, and dropped from the outputs.
      let planned: Record<string, string> = {
        ...(await core.plannedChange(olds, checked.inputs)),
        ...sizeUnitsChange(core, olds, checked.inputs),
      };
      // For a replacement the engine checks the new inputs again as a create
      // (no olds) and shows those: carry the note over to that second check.
      const key = `${name}/${idOf(core, news)}`;
      if (Object.keys(olds ?? {}).length) notes.set(key, planned);
      else {
        planned = notes.get(key) ?? {};
        notes.delete(key);
      }
      return { ...checked, inputs: { ...checked.inputs, ...planned } };
    },
    async diff(id, olds, news) {
      const { changes, replaces, deleteBeforeReplace } = await core.diff(id, olds, news);
      return { changes, replaces, deleteBeforeReplace };
    },
    create: (inputs) => core.create(inputs),
    async read(id, props) {
      const found = await core.read(id, props);
      // An empty id tells the engine the asset is gone.
      if (!found) return { id: "", props: {} };
      // Refreshed inputs too: the engine shows the next preview's diff from
      // the recorded inputs, so drift must land there to be visible.
      const { info: _info, ...inputs } = found.props;
      return { id: found.id, props: found.props, inputs };
    },
    async update(id, olds, news) {
      const { outs, migration } = await core.update(id, olds, news);
      // The provider host's stderr reaches the engine's log (pulumi up -v=1 or more).
      for (const line of migration?.log ?? []) console.error(line);
      return { outs };
    },
    delete: (id, props) => core.delete(id, props),
  };
}

/** The inventory's methods (inventory.ts): one per connection, listing the program's assets. */
export function inventoryHandlers(): DynamicHandlers {
  return {
    check: async (_olds, news) => inventory.check(news),
    diff: async (_id, olds, news) => ({ ...(await inventory.diff(olds, news)), deleteBeforeReplace: false }),
    create: (inputs) => inventory.create(inputs),
    read: async (id, props) => ({ id, props }),
    update: (_id, olds, news) => inventory.update(olds, news),
    delete: (_id, props) => inventory.delete(props),
  };
}
