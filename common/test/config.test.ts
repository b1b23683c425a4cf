import assert from "node:assert/strict";
import { num, str } from "envalid";
import { ConfigError, loadConfig } from "../src/index.js";

const spec = {
  PORT_NUMBER: num({ default: 1, desc: "a number" }),
  PARLEY_MODE: str({ default: "a", choices: ["a", "b"], desc: "a choice" }),
};

describe("common config", () => {
  it("should apply defaults and parse values", () => {
    const config = loadConfig(spec, { env: { PORT_NUMBER: "7" } });
    assert.equal(config.PORT_NUMBER, 7);
    assert.equal(config.PARLEY_MODE, "a");
  });

  it("should fail naming every bad key", () => {
    assert.throws(
      () => loadConfig(spec, { env: { PORT_NUMBER: "seven", PARLEY_MODE: "c" } }),
      (err: ConfigError) =>
        err instanceof ConfigError &&
        /PORT_NUMBER/.test(err.message) &&
        /PARLEY_MODE/.test(err.message),
    );
  });

  it("should report unknown variables that carry the prefix", () => {
    const unknown: string[] = [];
    loadConfig(spec, {
      env: { PARLEY_MOOD: "x", HOME: "/root" },
      onUnknown: (name) => unknown.push(name),
    });
    assert.deepEqual(unknown, ["PARLEY_MOOD"]);
  });
});
