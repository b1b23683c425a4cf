#!/usr/bin/env node
// The `parley` command as npm links it. npm links a workspace's bin when it
// installs, before anything is built, so the link points at this committed
// launcher, which loads the compiled CLI from dist/.
const entry = new URL("../dist/main.js", import.meta.url);

try {
  await import(entry.href);
} catch (err) {
  if (err?.code !== "ERR_MODULE_NOT_FOUND" || !String(err.message).includes(entry.pathname)) {
    throw err;
  }
  process.stderr.write(
    "parley: the CLI is not built yet (no cli/dist/main.js): run `npm run build` " +
      "or `npx tsc -b cli` in the repository first\n",
  );
  // 70: parley itself cannot run (see the exit codes in `parley --help`).
  process.exitCode = 70;
}
