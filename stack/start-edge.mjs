// Starts the edge the way `wrangler dev` does — wrangler's own `unstable_startWorker`, the same
// wrangler.toml, Miniflare and workerd — but without the DevTools inspector.
//
// Why: `wrangler dev` always attaches an inspector that tracks the Worker's network. Each
// subrequest (every Durable Object call, every fetch to origin) then sends four DevTools events
// through wrangler's inspector proxy to node, which formats them and appends them to a debug log
// file. That is several milliseconds of CPU per subrequest that Cloudflare's edge never spends,
// so the benchmark measures Festival's order path here (see BENCHMARKS.md).
//
// Usage (a subset of `wrangler dev`'s flags, run from edge/):
//   node start-edge.mjs --ip 127.0.0.1 --port P --persist-to DIR [--config FILE] [--assets DIR]
//                       [--var NAME:value]…

import { unstable_startWorker } from "wrangler";

function parse(argv) {
  const options = { vars: {}, ip: "127.0.0.1" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case "--ip": options.ip = value; break;
      case "--port": options.port = Number(value); break;
      case "--persist-to": options.persist = value; break;
      case "--assets": options.assets = value; break;
      case "--config": options.config = value; break;
      case "--var": {
        const at = value.indexOf(":");
        if (at < 1) throw new Error(`--var wants NAME:value, got ${value}`);
        options.vars[value.slice(0, at)] = { type: "plain_text", value: value.slice(at + 1) };
        break;
      }
      default: throw new Error(`unknown flag ${flag}`);
    }
  }
  return options;
}

const options = parse(process.argv.slice(2));
const worker = await unstable_startWorker({
  config: options.config ?? "wrangler.toml",
  bindings: options.vars,
  ...(options.assets ? { assets: options.assets } : {}),
  dev: {
    inspector: false,
    watch: false,
    persist: options.persist,
    server: { hostname: options.ip, port: options.port },
  },
});
await worker.ready;
console.log(`Ready on ${await worker.url} (no DevTools inspector)`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await worker.dispose();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
