// Times the official SDK on the same work as benches/corpus.rs: for every corpus file, parse and
// validate, build the manifest, hash it and encode each GroupSpec. Prints JSON
// { files, accepted, iterations, mean_ms_per_pass }.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { generateManifest, generateManifestVersion } from "@akashnetwork/chain-sdk";
import { GroupSpec } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";

const dir = process.argv[2];
const texts = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
async function pass() {
  let accepted = 0;
  for (const t of texts) {
    try {
      const g = generateManifest(yaml.load(t), "mainnet");
      if (!g.ok) continue;
      await generateManifestVersion(g.value.groups);
      for (const s of g.value.groupSpecs) GroupSpec.encode(s).finish();
      accepted++;
    } catch (e) { /* rejected */ }
  }
  return accepted;
}
for (let i = 0; i < 5; i++) await pass(); // warm up the JIT
const iterations = Number(process.argv[3] ?? 30);
const start = process.hrtime.bigint();
let accepted = 0;
for (let i = 0; i < iterations; i++) accepted = await pass();
const ms = Number(process.hrtime.bigint() - start) / 1e6 / iterations;
process.stdout.write(JSON.stringify({ files: texts.length, accepted, iterations, mean_ms_per_pass: ms }) + "\n");
