// A small renderer for this repository's Helm chart, because no helm
// binary can be installed here and npm has no maintained renderer of Helm
// templates. It implements the part of Go's text/template that helm/parley
// uses (actions with trim markers, comments, pipelines, parentheses,
// variables, if/else if/else, range over lists, maps and until, with,
// define and include) and the Helm/Sprig functions the chart calls. Anything
// else (an unknown function, printing a map, a field of nil) throws, so a
// template outside this subset fails the test instead of rendering wrongly.
// It is not Helm: it knows no Capabilities, lookup, tpl, Files or schema
// validation. Remove it once the test can run `helm template`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

type Value = unknown;
type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipe }
  | { kind: "if"; branches: { cond: Pipe; body: Node[] }[]; otherwise: Node[] }
  | { kind: "range"; pipe: Pipe; body: Node[]; otherwise: Node[] }
  | { kind: "with"; pipe: Pipe; body: Node[]; otherwise: Node[] };
interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Term[][];
}
type Term =
  | { kind: "lit"; value: Value }
  | { kind: "field"; base: "dot" | string | Term; path: string[] }
  | { kind: "ident"; name: string }
  | { kind: "pipe"; pipe: Pipe; path: string[] };

// ---- lexing: text and {{ actions }} -------------------------------------

function lex(src: string): ({ kind: "text"; text: string } | { kind: "act"; body: string })[] {
  const out: ({ kind: "text"; text: string } | { kind: "act"; body: string })[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, "");
    if (open < 0) {
      out.push({ kind: "text", text });
      break;
    }
    let start = open + 2;
    if (src.startsWith("- ", start) || src.startsWith("-\n", start)) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    out.push({ kind: "text", text });
    const close = findClose(src, start);
    let body = src.slice(start, close);
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    body = body.trim();
    if (!body.startsWith("/*")) out.push({ kind: "act", body });
    i = close + 2;
  }
  return out;
}

function findClose(src: string, from: number): number {
  const rest = src.slice(from).trimStart();
  if (rest.startsWith("/*")) {
    const endComment = src.indexOf("*/", from);
    const close = src.indexOf("}}", endComment);
    if (endComment < 0 || close < 0) throw new Error(`unclosed comment at ${from}`);
    return close;
  }
  let quote: string | null = null;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "`") {
      quote = c;
    } else if (src.startsWith("}}", i)) {
      return i;
    }
  }
  throw new Error(`unclosed action at ${from}`);
}

// ---- parsing ------------------------------------------------------------

function tokenize(body: string): string[] {
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|:=|=|\||\(|\)|,|[^\s|(),=]+)/gy;
  const tokens: string[] = [];
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body)) !== null) {
    tokens.push(m[1]!);
    end = re.lastIndex;
  }
  if (body.slice(end).trim() !== "") throw new Error(`cannot read action: ${body}`);
  return tokens;
}

class PipeParser {
  private pos = 0;
  constructor(private readonly tokens: string[]) {}

  static parse(body: string): Pipe {
    const p = new PipeParser(tokenize(body));
    const pipe = p.pipe();
    if (p.pos !== p.tokens.length) throw new Error(`unexpected "${p.tokens[p.pos]}" in ${body}`);
    return pipe;
  }

  private pipe(): Pipe {
    const decl: string[] = [];
    let assign = false;
    const ahead = this.tokens.slice(this.pos, this.pos + 4);
    if (ahead[0]?.startsWith("$") && (ahead[1] === ":=" || ahead[1] === "=")) {
      decl.push(ahead[0]);
      assign = ahead[1] === "=";
      this.pos += 2;
    } else if (ahead[0]?.startsWith("$") && ahead[1] === "," && ahead[3] === ":=") {
      decl.push(ahead[0], ahead[2]!);
      this.pos += 4;
    }
    const cmds: Term[][] = [this.command()];
    while (this.tokens[this.pos] === "|") {
      this.pos++;
      cmds.push(this.command());
    }
    return { decl, assign, cmds };
  }

  private command(): Term[] {
    const terms: Term[] = [];
    while (this.pos < this.tokens.length && ![")", "|"].includes(this.tokens[this.pos]!)) {
      terms.push(this.term());
    }
    if (terms.length === 0) throw new Error("empty command");
    return terms;
  }

  private term(): Term {
    const t = this.tokens[this.pos++]!;
    if (t === "(") {
      const pipe = this.pipe();
      if (this.tokens[this.pos++] !== ")") throw new Error("missing )");
      const path: string[] = [];
      while (this.tokens[this.pos]?.startsWith(".")) {
        path.push(...this.tokens[this.pos++]!.slice(1).split("."));
      }
      return { kind: "pipe", pipe, path };
    }
    if (t.startsWith('"')) return { kind: "lit", value: JSON.parse(t) };
    if (t.startsWith("`")) return { kind: "lit", value: t.slice(1, -1) };
    if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: "lit", value: Number(t) };
    if (t === "true" || t === "false") return { kind: "lit", value: t === "true" };
    if (t === "nil") return { kind: "lit", value: null };
    if (t === ".") return { kind: "field", base: "dot", path: [] };
    if (t.startsWith(".")) return { kind: "field", base: "dot", path: t.slice(1).split(".") };
    if (t.startsWith("$")) {
      const [name, ...path] = t.split(".");
      return { kind: "field", base: name!, path };
    }
    if (/^[A-Za-z_]\w*$/.test(t)) return { kind: "ident", name: t };
    throw new Error(`unexpected token "${t}"`);
  }
}

function parseTemplates(src: string, defines: Map<string, Node[]>): Node[] {
  const items = lex(src);
  let i = 0;
  const block = (stops: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (i < items.length) {
      const item = items[i++]!;
      if (item.kind === "text") {
        if (item.text) nodes.push({ kind: "text", text: item.text });
        continue;
      }
      const [word, rest] = splitWord(item.body);
      if (stops.includes(word)) return { nodes, stop: item.body };
      if (word === "if") {
        const branches: { cond: Pipe; body: Node[] }[] = [];
        let cond = PipeParser.parse(rest);
        let otherwise: Node[] = [];
        for (;;) {
          const part = block(["else", "end"]);
          branches.push({ cond, body: part.nodes });
          if (part.stop === "end") break;
          const elseRest = part.stop.slice(4).trim();
          if (elseRest.startsWith("if ")) {
            cond = PipeParser.parse(elseRest.slice(3));
            continue;
          }
          otherwise = block(["end"]).nodes;
          break;
        }
        nodes.push({ kind: "if", branches, otherwise });
      } else if (word === "range" || word === "with") {
        const pipe = PipeParser.parse(rest);
        const part = block(["else", "end"]);
        const otherwise = part.stop === "end" ? [] : block(["end"]).nodes;
        nodes.push({ kind: word, pipe, body: part.nodes, otherwise });
      } else if (word === "define") {
        const name = JSON.parse(rest) as string;
        defines.set(name, block(["end"]).nodes);
      } else if (["else", "end"].includes(word)) {
        throw new Error(`unexpected {{${item.body}}}`);
      } else {
        nodes.push({ kind: "action", pipe: PipeParser.parse(item.body) });
      }
    }
    if (stops.length > 0) throw new Error(`missing {{end}} (wanted ${stops.join("/")})`);
    return { nodes, stop: "" };
  };
  return block([]).nodes;
}

function splitWord(body: string): [string, string] {
  const m = /^(\w+)\s*(.*)$/s.exec(body);
  return m ? [m[1]!, m[2]!] : [body, ""];
}

// ---- evaluation -----------------------------------------------------------

class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(private readonly parent?: Scope) {}
  get(name: string): Value {
    if (this.vars.has(name)) return this.vars.get(name);
    if (this.parent) return this.parent.get(name);
    throw new Error(`undefined variable ${name}`);
  }
  declare(name: string, value: Value): void {
    this.vars.set(name, value);
  }
  assign(name: string, value: Value): void {
    if (this.vars.has(name)) this.vars.set(name, value);
    else if (this.parent) this.parent.assign(name, value);
    else throw new Error(`undefined variable ${name}`);
  }
}

const truthy = (v: Value): boolean =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0)
  );

const isMap = (v: Value): v is Record<string, Value> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function fieldOf(base: Value, path: string[], what: string): Value {
  let v = base;
  for (const key of path) {
    if (!isMap(v)) throw new Error(`nil pointer evaluating ${what}.${key}`);
    v = v[key];
  }
  return v;
}

function show(v: Value): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`printing a ${Array.isArray(v) ? "list" : "map"}; use toYaml`);
}

export class ChartRenderer {
  private readonly defines = new Map<string, Node[]>();
  private readonly files = new Map<string, Node[]>();
  private readonly functions: Record<string, (...args: Value[]) => Value>;

  constructor(templateDir: string) {
    for (const file of readdirSync(templateDir).sort()) {
      const nodes = parseTemplates(readFileSync(join(templateDir, file), "utf8"), this.defines);
      if (!file.startsWith("_")) this.files.set(file, nodes);
    }
    this.functions = helmFunctions((name, ctx) => this.include(name, ctx));
  }

  /** Renders every template; NOTES.txt is returned apart, as Helm does. */
  render(context: Record<string, Value>): { manifests: Map<string, string>; notes: string } {
    const manifests = new Map<string, string>();
    let notes = "";
    for (const [file, nodes] of this.files) {
      const text = this.exec(nodes, context, this.rootScope(context));
      if (file === "NOTES.txt") notes = text;
      else manifests.set(file, text);
    }
    return { manifests, notes };
  }

  private include(name: string, ctx: Value): string {
    const nodes = this.defines.get(name);
    if (!nodes) throw new Error(`no template "${name}"`);
    return this.exec(nodes, ctx, this.rootScope(ctx));
  }

  private rootScope(ctx: Value): Scope {
    const scope = new Scope();
    scope.declare("$", ctx);
    return scope;
  }

  private exec(nodes: Node[], dot: Value, scope: Scope): string {
    let out = "";
    for (const node of nodes) {
      switch (node.kind) {
        case "text":
          out += node.text;
          break;
        case "action": {
          const v = this.pipe(node.pipe, dot, scope);
          if (node.pipe.decl.length === 0) out += show(v);
          break;
        }
        case "if": {
          const hit = node.branches.find((b) => truthy(this.pipe(b.cond, dot, scope)));
          out += this.exec(hit ? hit.body : node.otherwise, dot, new Scope(scope));
          break;
        }
        case "with": {
          const v = this.pipe({ ...node.pipe, decl: [] }, dot, scope);
          out += truthy(v)
            ? this.exec(node.body, v, new Scope(scope))
            : this.exec(node.otherwise, dot, new Scope(scope));
          break;
        }
        case "range":
          out += this.range(node, dot, scope);
          break;
      }
    }
    return out;
  }

  private range(node: Extract<Node, { kind: "range" }>, dot: Value, scope: Scope): string {
    const v = this.pipe({ ...node.pipe, decl: [] }, dot, scope);
    let entries: [Value, Value][];
    if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
    else if (isMap(v))
      entries = Object.keys(v)
        .sort()
        .map((k) => [k, v[k]]);
    else if (v === undefined || v === null) entries = [];
    else throw new Error(`range over ${typeof v}`);
    if (entries.length === 0) return this.exec(node.otherwise, dot, new Scope(scope));
    let out = "";
    for (const [key, item] of entries) {
      const inner = new Scope(scope);
      const decl = node.pipe.decl;
      if (decl.length === 1) inner.declare(decl[0]!, item);
      if (decl.length === 2) {
        inner.declare(decl[0]!, key);
        inner.declare(decl[1]!, item);
      }
      out += this.exec(node.body, item, inner);
    }
    return out;
  }

  private pipe(pipe: Pipe, dot: Value, scope: Scope): Value {
    let piped: Value[] = [];
    let v: Value;
    for (const cmd of pipe.cmds) {
      v = this.command(cmd, dot, scope, piped);
      piped = [v];
    }
    if (pipe.decl.length === 1 && !pipe.assign) scope.declare(pipe.decl[0]!, v);
    if (pipe.decl.length === 1 && pipe.assign) scope.assign(pipe.decl[0]!, v);
    return v;
  }

  private command(cmd: Term[], dot: Value, scope: Scope, piped: Value[]): Value {
    const [head, ...rest] = cmd;
    if (head!.kind === "ident") {
      const fn = this.functions[head!.name];
      if (!fn) throw new Error(`function "${head!.name}" not defined`);
      if (head!.name === "and" || head!.name === "or")
        return this.logic(head!.name, rest, dot, scope, piped);
      return fn(...rest.map((t) => this.term(t, dot, scope)), ...piped);
    }
    if (rest.length > 0 || piped.length > 0) throw new Error("cannot give arguments to a value");
    return this.term(head!, dot, scope);
  }

  /** and/or stop at the deciding argument, as in Go 1.18+. */
  private logic(name: string, args: Term[], dot: Value, scope: Scope, piped: Value[]): Value {
    const values = [
      ...args.map((t) => () => this.term(t, dot, scope)),
      ...piped.map((p) => () => p),
    ];
    let v: Value;
    for (const next of values) {
      v = next();
      if (name === "and" ? !truthy(v) : truthy(v)) return v;
    }
    return v;
  }

  private term(t: Term, dot: Value, scope: Scope): Value {
    switch (t.kind) {
      case "lit":
        return t.value;
      case "ident": {
        const fn = this.functions[t.name];
        if (!fn) throw new Error(`function "${t.name}" not defined`);
        return fn();
      }
      case "field":
        if (t.base === "dot") return fieldOf(dot, t.path, ".");
        if (typeof t.base === "string") return fieldOf(scope.get(t.base), t.path, t.base);
        return fieldOf(this.term(t.base, dot, scope), t.path, "(...)");
      case "pipe":
        return fieldOf(this.pipe(t.pipe, dot, scope), t.path, "(...)");
    }
  }
}

function helmFunctions(
  include: (name: string, ctx: Value) => string,
): Record<string, (...args: Value[]) => Value> {
  const num = (v: Value): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`not a number: ${String(v)}`);
    return n;
  };
  const indent = (n: Value, s: Value) =>
    String(s)
      .split("\n")
      .map((line) => " ".repeat(num(n)) + line)
      .join("\n");
  const compare = (a: Value, b: Value) =>
    typeof a === typeof b ? a === b : String(a) === String(b);
  return {
    include: (name, ctx) => include(String(name), ctx),
    printf: (format, ...args) => {
      let i = 0;
      return String(format).replace(/%([sdvq%])/g, (_, verb: string) => {
        if (verb === "%") return "%";
        const a = args[i++];
        if (verb === "d") return String(Math.trunc(num(a)));
        if (verb === "q") return JSON.stringify(String(a));
        return show(a);
      });
    },
    print: (...args) => args.map(show).join(""),
    quote: (...args) => args.map((a) => JSON.stringify(show(a))).join(" "),
    upper: (s) => String(s).toUpperCase(),
    replace: (from, to, s) => String(s).split(String(from)).join(String(to)),
    trunc: (n, s) => String(s).slice(0, num(n)),
    trimSuffix: (suffix, s) =>
      String(s).endsWith(String(suffix)) ? String(s).slice(0, -String(suffix).length) : s,
    default: (fallback, given) => (truthy(given) ? given : fallback),
    required: (message, value) => {
      if (value === undefined || value === null || value === "") throw new Error(String(message));
      return value;
    },
    fail: (message) => {
      throw new Error(String(message));
    },
    empty: (v) => !truthy(v),
    not: (v) => !truthy(v),
    and: () => undefined,
    or: () => undefined,
    eq: (a, ...bs) => bs.some((b) => compare(a, b)),
    ne: (a, b) => !compare(a, b),
    gt: (a, b) => num(a) > num(b),
    lt: (a, b) => num(a) < num(b),
    int: (v) => Math.trunc(num(v)),
    mod: (a, b) => num(a) % num(b),
    until: (n) => Array.from({ length: num(n) }, (_, i) => i),
    list: (...items) => items,
    append: (items, item) => [...(items as Value[]), item],
    join: (sep, items) => (items as Value[]).map(show).join(String(sep)),
    dict: (...kv) => {
      const out: Record<string, Value> = {};
      for (let i = 0; i < kv.length; i += 2) out[String(kv[i])] = kv[i + 1];
      return out;
    },
    index: (base, ...keys) => {
      let v = base;
      for (const k of keys) v = (v as Record<string, Value>)?.[String(k)];
      return v;
    },
    urlquery: (...args) =>
      encodeURIComponent(args.map(show).join(""))
        .replace(/%20/g, "+")
        .replace(/[!'()*]/g, (c) => {
          return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
        }),
    toYaml: (v) => (v === undefined || v === null ? "null" : stringifyYaml(v).replace(/\n$/, "")),
    indent,
    nindent: (n, s) => `\n${indent(n, s)}`,
  };
}

/** Values as Helm merges them: maps merge key by key, anything else replaces. */
export function mergeValues(base: Value, override: Value): Value {
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const out: Record<string, Value> = { ...base };
  for (const [k, v] of Object.entries(override))
    out[k] = v === null ? undefined : mergeValues(base[k], v);
  return out;
}

/** The parsed YAML documents of rendered manifests, empty ones dropped. */
export function manifestDocuments(text: string): Record<string, Value>[] {
  return text
    .split(/^---\s*$/m)
    .map((doc) => parseYaml(doc) as Record<string, Value> | null)
    .filter((doc): doc is Record<string, Value> => doc !== null && doc !== undefined);
}
