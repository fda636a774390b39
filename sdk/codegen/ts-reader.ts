// Reads a TypeScript interface (NatsClusterArgs, NatsClusterOutputs,
// ConnectionArgs) with the compiler API into a small description of its
// properties: JSDoc text, `@default`, optional or not, whether it accepts an
// Input (else it is a plain value), "Secret." in the doc, and the type.
//
// Why not `@pulumi/pulumi/provider/experimental`'s inference: it rejects this
// API outright ("Union types are not supported ... AwsPlatformArgs.systemNodes:
// false | {...}"), rejects string-literal unions (every enum here), cannot
// express `number` as `integer`, and turns every class field into an output.
// Reading the interfaces ourselves keeps them the single source of truth.
import * as path from "node:path";
import ts from "typescript";

export type TypeIR =
  | { kind: "string" | "integer" | "number" | "boolean" }
  /** Any JSON value (`unknown`), e.g. raw chart values. */
  | { kind: "any" }
  | { kind: "array"; items: TypeIR; input: boolean }
  | { kind: "map"; values: TypeIR; input: boolean }
  | {
      kind: "enum";
      name: string;
      module: string;
      doc?: string;
      values: { name?: string; value: string; doc?: string }[];
    }
  | { kind: "object"; name: string; module: string; doc?: string; props: PropIR[] }
  | { kind: "oneOf"; of: TypeIR[] }
  /** A resource reference, e.g. a Kubernetes provider. */
  | { kind: "ref"; ref: string };

export interface PropIR {
  name: string;
  doc: string;
  /** The text of the `@default` tag, if any. */
  defaultDoc?: string;
  optional: boolean;
  /** Wrapped in `pulumi.Input`/`pulumi.Output` (else a plain value). */
  input: boolean;
  /** The doc says "Secret." */
  secret: boolean;
  type: TypeIR;
}

export interface ReaderOptions {
  /** Maps a qualified type name as written (`k8s.Provider`) to a schema `$ref`. */
  resourceRefs: Record<string, string>;
}

export class InterfaceReader {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;

  constructor(
    files: string[],
    private readonly options: ReaderOptions,
  ) {
    this.program = ts.createProgram(files, {
      // Only the given files: following imports would load every cloud SDK's typings.
      noResolve: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      strict: true,
      skipLibCheck: true,
      esModuleInterop: true,
      noEmit: true,
      types: [],
    });
    this.checker = this.program.getTypeChecker();
  }

  /** The properties of an exported interface of `file`. */
  read(file: string, name: string): { doc: string; props: PropIR[] } {
    const decl = this.find(file, name);
    return { doc: this.docOf(decl), props: this.members(this.ownAndInherited(decl), this.typeName(name)) };
  }

  private find(file: string, name: string): ts.InterfaceDeclaration {
    const source = this.program.getSourceFile(path.resolve(file));
    if (!source) throw new Error(`codegen: ${file} is not part of the program`);
    const found = source.statements.find(
      (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
    );
    if (!found) throw new Error(`codegen: interface ${name} not found in ${file}`);
    return found;
  }

  private typeName(name: string): string {
    return name.replace(/Args$/, "");
  }

  private docOf(node: ts.Node): string {
    const symbol = this.symbolOf(node);
    return symbol ? ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).trim() : "";
  }

  private symbolOf(node: ts.Node): ts.Symbol | undefined {
    const name = (node as ts.NamedDeclaration).name;
    return name ? this.checker.getSymbolAtLocation(name) : undefined;
  }

  /**
   * An interface's property declarations, inherited ones included
   * (`extends Omit<NatsClusterArgs, "gateway">`): the checker lists the
   * properties, each still pointing at the declaration that documents it.
   */
  private ownAndInherited(decl: ts.InterfaceDeclaration): readonly ts.TypeElement[] {
    if (!decl.heritageClauses?.length) return decl.members;
    const symbol = this.symbolOf(decl);
    if (!symbol) return decl.members;
    return this.checker
      .getPropertiesOfType(this.checker.getDeclaredTypeOfSymbol(symbol))
      .map((p) => p.declarations?.find(ts.isPropertySignature))
      .filter((d): d is ts.PropertySignature => d !== undefined);
  }

  private members(members: readonly ts.TypeElement[], owner: string): PropIR[] {
    const props: PropIR[] = [];
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const name = m.name.getText();
      const symbol = this.symbolOf(m);
      const doc = symbol ? ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).trim() : "";
      const tag = symbol?.getJsDocTags(this.checker).find((t) => t.name === "default");
      const defaultDoc = tag ? ts.displayPartsToString(tag.text).trim() : undefined;
      const { type, input, undef } = this.convert(m.type, owner + pascal(name));
      props.push({
        name,
        // An undocumented property of a documented type (`aws?: AwsPlatformArgs`) takes the type's doc.
        doc: doc || ("doc" in type && type.doc) || "",
        ...(defaultDoc !== undefined ? { defaultDoc } : {}),
        optional: Boolean(m.questionToken) || undef,
        input,
        // A sentence starting "Secret" ("... Secret.", "Secret (password).").
        secret: /(^|[.!]\s+)Secret\b/.test(doc),
        type,
      });
    }
    return props;
  }

  /** Converts a type node; `input` when wrapped in Input/Output, `undef` when `| undefined`. */
  private convert(node: ts.TypeNode, context: string): { type: TypeIR; input: boolean; undef: boolean } {
    if (ts.isParenthesizedTypeNode(node)) return this.convert(node.type, context);
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return plain({ kind: "string" });
      case ts.SyntaxKind.NumberKeyword:
        // Every number in these APIs is a count, a size in GiB, a port or a percentage.
        return plain({ kind: "integer" });
      case ts.SyntaxKind.BooleanKeyword:
        return plain({ kind: "boolean" });
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.AnyKeyword:
        return plain({ kind: "any" });
    }
    if (ts.isLiteralTypeNode(node)) {
      if (
        node.literal.kind === ts.SyntaxKind.FalseKeyword ||
        node.literal.kind === ts.SyntaxKind.TrueKeyword
      ) {
        return plain({ kind: "boolean" });
      }
      if (ts.isStringLiteral(node.literal)) {
        return plain({
          kind: "enum",
          name: context,
          module: moduleOf(node),
          values: [{ value: node.literal.text }],
        });
      }
    }
    if (ts.isArrayTypeNode(node)) {
      const items = this.convert(node.elementType, context);
      return plain({ kind: "array", items: items.type, input: items.input });
    }
    if (ts.isUnionTypeNode(node)) return this.union(node, context);
    if (ts.isTypeLiteralNode(node)) {
      return plain({
        kind: "object",
        name: this.typeName(context),
        module: moduleOf(node),
        props: this.members(node.members, context),
      });
    }
    if (ts.isIndexedAccessTypeNode(node) || ts.isTypeOperatorNode(node)) {
      return plain(this.enumOf(this.checker.getTypeFromTypeNode(node), context, node));
    }
    if (ts.isTypeReferenceNode(node)) return this.reference(node, context);
    throw new Error(`codegen: unsupported type "${node.getText()}" at ${context}`);
  }

  private union(node: ts.UnionTypeNode, context: string) {
    let undef = false;
    const parts = node.types.filter((t) => {
      const isUndefined =
        t.kind === ts.SyntaxKind.UndefinedKeyword ||
        (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword);
      if (isUndefined) undef = true;
      return !isUndefined;
    });
    if (parts.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
      const values = parts.map((t) => ({
        value: ((t as ts.LiteralTypeNode).literal as ts.StringLiteral).text,
      }));
      const type: TypeIR = { kind: "enum", name: context, module: moduleOf(node), values };
      return { type, input: false, undef };
    }
    const converted = parts.map((t) => this.convert(t, context));
    const input = converted.some((c) => c.input);
    undef = undef || converted.some((c) => c.undef);
    const unique = dedupe(converted.map((c) => c.type));
    const type: TypeIR = unique.length === 1 ? unique[0] : { kind: "oneOf", of: unique };
    return { type, input, undef };
  }

  private reference(node: ts.TypeReferenceNode, context: string) {
    const written = node.typeName.getText();
    const args = node.typeArguments ?? [];
    const last = written.split(".").pop()!;
    if ((last === "Input" || last === "Output") && args.length === 1) {
      const inner = this.convert(args[0], context);
      return { ...inner, input: true };
    }
    if (last === "Record" && args.length === 2) {
      const values = this.convert(args[1], context);
      return plain({ kind: "map", values: values.type, input: values.input });
    }
    if (last === "Array" && args.length === 1) {
      const items = this.convert(args[0], context);
      return plain({ kind: "array", items: items.type, input: items.input });
    }
    if (last === "Partial" && args.length === 1) {
      const inner = this.convert(args[0], context).type;
      if (inner.kind !== "object") throw new Error(`codegen: Partial of a non-object at ${context}`);
      return plain({
        kind: "object",
        name: this.typeName(context),
        module: inner.module,
        doc: inner.doc,
        props: inner.props.map((p) => ({ ...p, optional: true })),
      });
    }
    if ((last === "Pick" || last === "Omit") && args.length === 2) {
      // The chosen properties, each still pointing at the declaration that documents it.
      const props = this.checker
        .getPropertiesOfType(this.checker.getTypeFromTypeNode(node))
        .map((p) => p.declarations?.find(ts.isPropertySignature))
        .filter((d): d is ts.PropertySignature => d !== undefined);
      return plain({
        kind: "object",
        name: this.typeName(context),
        module: moduleOf(node),
        props: this.members(props, this.typeName(context)),
      });
    }
    if (this.options.resourceRefs[written])
      return plain({ kind: "ref", ref: this.options.resourceRefs[written] });
    let symbol = this.checker.getSymbolAtLocation(node.typeName);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    const decl = symbol?.declarations?.find(
      (d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d),
    );
    if (decl && ts.isInterfaceDeclaration(decl)) {
      const name = this.typeName(decl.name.text);
      return plain({
        kind: "object",
        name,
        module: moduleOf(decl),
        doc: this.docOf(decl),
        props: this.members(this.ownAndInherited(decl), name),
      });
    }
    if (decl && ts.isTypeAliasDeclaration(decl)) {
      return plain(this.enumOf(this.checker.getTypeFromTypeNode(node), decl.name.text, decl, decl));
    }
    throw new Error(`codegen: cannot resolve type "${written}" at ${context}`);
  }

  /**
   * A string-literal union, e.g. `(typeof ZoneSpread)[keyof typeof ZoneSpread]`:
   * an enum named after the alias; member names and docs come from the `as const`
   * object of the same name when there is one.
   */
  private enumOf(type: ts.Type, name: string, at: ts.Node, alias?: ts.TypeAliasDeclaration): TypeIR {
    const literals = (type.isUnion() ? type.types : [type]).filter((t) => t.isStringLiteral());
    if (!literals.length) throw new Error(`codegen: ${name} is not a string-literal union`);
    const values: { name?: string; value: string; doc?: string }[] = literals.map((t) => ({
      value: (t as ts.StringLiteralType).value,
    }));
    let doc: string | undefined;
    const constObject = alias && this.constObject(alias);
    if (constObject) {
      doc = this.docOf(constObject.declaration) || undefined;
      for (const p of constObject.literal.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isStringLiteral(p.initializer)) continue;
        const v = values.find((x) => x.value === (p.initializer as ts.StringLiteral).text);
        if (!v) continue;
        v.name = p.name.getText();
        const d = this.docOf(p);
        if (d) v.doc = d;
      }
    }
    return { kind: "enum", name: this.typeName(name), module: moduleOf(at), ...(doc ? { doc } : {}), values };
  }

  private constObject(alias: ts.TypeAliasDeclaration) {
    for (const s of alias.getSourceFile().statements) {
      if (!ts.isVariableStatement(s)) continue;
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.name.text !== alias.name.text || !d.initializer) continue;
        let init: ts.Expression = d.initializer;
        if (ts.isAsExpression(init)) init = init.expression;
        if (ts.isObjectLiteralExpression(init)) return { declaration: d, literal: init };
      }
    }
    return undefined;
  }
}

/** The schema module of a declaration: `jetstream` for sdk/jetstream, else `index`. */
function moduleOf(node: ts.Node): string {
  return /[\\/]jetstream[\\/]/.test(node.getSourceFile().fileName) ? "jetstream" : "index";
}

function plain(type: TypeIR) {
  return { type, input: false, undef: false };
}

export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function dedupe(types: TypeIR[]): TypeIR[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    const key = JSON.stringify(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
