// Reference SDL results from the official Akash SDK, for tests/conformance_sdl.rs.
// Input (argv[2], JSON): { "files": [absolute paths], "sort": [strings] }.
// Output (stdout, JSON): { "files": { path: { accepted, legacyCrashed, crashed, error, hash, groups, manifest } },
//                          "localeSorted": [...] }.
// Acceptance is what `SDL.fromString(text, "beta3", "mainnet")` accepts (an SDK crash after
// validation counts as accepted, see shared/sdl-corpus/NOTICE.md); the hash, GroupSpec bytes and
// manifest come from the SDK's current API, `generateManifest`, whose groups follow the Go parser.
import fs from "node:fs";
import yaml from "js-yaml";
import { SDL, generateManifest, manifestToSortedJSON, generateManifestVersion } from "@akashnetwork/chain-sdk";
import { GroupSpec } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = { files: {}, localeSorted: null };
for (const file of input.files ?? []) {
  const text = fs.readFileSync(file, "utf8");
  const r = { accepted: false, legacyCrashed: false, crashed: false, error: null, hash: null, groups: null, manifest: null };
  let sdl = null;
  try {
    sdl = SDL.fromString(text, "beta3", "mainnet");
    r.accepted = true;
  } catch (e) {
    r.error = String(e.message);
  }
  if (sdl) {
    // The deprecated class crashes on services without `expose` (NOTICE.md counts four).
    try {
      await sdl.manifestVersion();
      sdl.groups();
    } catch (e) {
      r.legacyCrashed = true;
    }
  }
  if (r.accepted) {
    try {
      const g = generateManifest(yaml.load(text), "mainnet");
      if (!g.ok) throw new Error(g.value[0].message);
      r.manifest = manifestToSortedJSON(g.value.groups);
      r.hash = Buffer.from(await generateManifestVersion(g.value.groups)).toString("hex");
      r.groups = g.value.groupSpecs.map((s) => Buffer.from(GroupSpec.encode(s).finish()).toString("hex"));
    } catch (e) {
      r.crashed = true;
      r.error = String(e.message);
    }
  }
  out.files[file] = r;
}
if (input.sort) out.localeSorted = [...input.sort].sort((a, b) => a.localeCompare(b));
process.stdout.write(JSON.stringify(out));
