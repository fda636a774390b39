// Input errors for NatsCluster. Every problem found in the args is collected
// and reported at once, each with the path of the field it concerns, so a user
// fixes all of them in one edit instead of one `pulumi up` per mistake.

/** One problem with one field of the args. */
export interface ArgsIssue {
  /** The field's path, e.g. `jetstream.fileStorage` or `platform.aws.subnetIds["us-east-1a"]`. */
  path: string;
  /** What is wrong, the value received, and what to change. */
  message: string;
}

/** Thrown by `plan()` (and so by `new NatsCluster`) when the args are invalid. */
export class NatsClusterArgsError extends Error {
  readonly issues: ArgsIssue[];

  constructor(component: string, issues: ArgsIssue[]) {
    const lines = issues.map((i) => `  - ${i.path}: ${i.message}`);
    super(`NatsCluster "${component}": ${issues.length} invalid argument(s):\n${lines.join("\n")}`);
    this.name = "NatsClusterArgsError";
    this.issues = issues;
  }
}

/** Collects issues while validating; `throwIfAny` raises them together. */
export class Issues {
  readonly list: ArgsIssue[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  throwIfAny(component: string): void {
    if (!this.empty) throw new NatsClusterArgsError(component, this.list);
  }
}

/** Renders a received value for an error message. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
