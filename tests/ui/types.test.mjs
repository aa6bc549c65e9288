// The committed TypeScript types must be what the Rust types generate today.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./harness.mjs";

test("ui/src/lib/generated matches the Rust types", { skip: process.env.WXSIM_SKIP_TYPES_CHECK === "1" }, () => {
  const out = mkdtempSync(join(tmpdir(), "wxsim-ts-"));
  try {
    const run = spawnSync("cargo", ["test", "-q", "-p", "wxsim-engine", "--features", "ts", "--test", "export_types"], {
      cwd: ROOT,
      env: { ...process.env, WXSIM_TS_OUT: out },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const committed = join(ROOT, "ui/src/lib/generated");
    const names = readdirSync(out).sort();
    assert.deepEqual(readdirSync(committed).sort(), names, "the same files (run `npm --prefix ui run gen:types`)");
    for (const name of names) {
      assert.equal(readFileSync(join(committed, name), "utf8"), readFileSync(join(out, name), "utf8"), `${name} is stale: run \`npm --prefix ui run gen:types\``);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
