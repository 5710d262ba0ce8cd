// node scripts/purgecss.cjs IN.css OUT.css — Tabler trimmed to what shanzhi uses (purgecss.config.cjs); run by `shanzhi assets`.
const path = require("path");
const fs = require("fs");
const root = path.resolve(__dirname, "..");
process.chdir(root);
const { PurgeCSS } = require(path.join(root, "node_modules", "purgecss"));
const config = require(path.join(root, "purgecss.config.cjs"));
const [input, output] = process.argv.slice(2).map((p) => path.resolve(p));
new PurgeCSS().purge({ ...config, css: [input] }).then((result) => {
  if (!result.length) throw new Error("purgecss produced nothing for " + input);
  fs.writeFileSync(output, result[0].css);
  console.log(`${path.basename(output)}: ${fs.statSync(input).size} → ${result[0].css.length} bytes`);
}).catch((err) => { console.error(err.message); process.exit(1); });
