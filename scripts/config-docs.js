// Writes each service's configuration table into its README, from the
// config schema itself, so the docs cannot drift from the code:
//   node scripts/config-docs.js           rewrite the tables
//   node scripts/config-docs.js --check   fail if a table is stale (CI)
// Tables live between <!-- config-table:start --> and <!-- config-table:end -->.
// Needs a build (it reads each service's dist/config.js).
import { commonSettings, natsSettings } from "@parley/common";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";

const root = fileURLToPath(new URL("..", import.meta.url));
const shared = { ...commonSettings, ...natsSettings };

const tables = [
  { readme: "README.md", spec: shared },
  {
    readme: "svc-edge/README.md",
    spec: own((await import("../svc-edge/dist/config.js")).edgeSpec),
  },
  {
    readme: "svc-delivery/README.md",
    spec: own((await import("../svc-delivery/dist/config.js")).deliverySettings),
  },
  {
    readme: "svc-history/README.md",
    spec: own((await import("../svc-history/dist/config.js")).historySpec),
  },
  {
    readme: "svc-presence/README.md",
    spec: own((await import("../svc-presence/dist/config.js")).presenceSpec),
  },
  {
    readme: "svc-media/README.md",
    spec: own((await import("../svc-media/dist/config.js")).mediaSpec),
  },
];

/** The keys a service adds to the shared ones. */
function own(spec) {
  return Object.fromEntries(Object.entries(spec).filter(([key]) => !(key in shared)));
}

function render(spec) {
  const cell = (text) => String(text).replaceAll("|", "\\|");
  const rows = Object.entries(spec).map(([key, v]) => {
    const fallback = v.default === "" ? "(empty)" : `\`${v.default}\``;
    return `| \`${key}\` | ${cell(fallback)} | ${cell(v.desc ?? "")} |`;
  });
  return ["| key | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

const START = "<!-- config-table:start -->";
const END = "<!-- config-table:end -->";
const check = process.argv.includes("--check");
let stale = 0;

for (const { readme, spec } of tables) {
  const path = `${root}${readme}`;
  const text = readFileSync(path, "utf8");
  const [before, rest] = text.split(START);
  if (rest === undefined || !rest.includes(END)) {
    throw new Error(`${readme} has no ${START} ... ${END} section`);
  }
  const after = rest.slice(rest.indexOf(END));
  const updated = await prettier.format(`${before}${START}\n\n${render(spec)}\n\n${after}`, {
    ...(await prettier.resolveConfig(path)),
    parser: "markdown",
  });
  if (updated === text) continue;
  stale++;
  if (check) process.stderr.write(`${readme}: configuration table is stale\n`);
  else writeFileSync(path, updated);
}
if (check && stale > 0) {
  process.stderr.write("run: npm run build && node scripts/config-docs.js\n");
  process.exit(1);
}
