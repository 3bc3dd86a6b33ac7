// The peer of the benchmark: PostGraphile v4 with postgraphile-plugin-connection-filter, served
// over plain HTTP on 127.0.0.1. Usage: node bench/peer.js <database url> <port>
// The bench installs both packages into bench/.peer (git-ignored) and sets NODE_PATH to it.
"use strict";

const http = require("http");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");

const [url, port] = process.argv.slice(2);
// Same pool size as the Python service's default, so neither side waits on connections.
const pool = new Pool({ connectionString: url, max: 10 });

const handler = postgraphile(pool, "public", {
  appendPlugins: [ConnectionFilterPlugin],
  graphileBuildOptions: {
    connectionFilterRelations: true,
    connectionFilterComputedColumns: false,
    connectionFilterSetofFunctions: false,
  },
  simpleCollections: "omit",
  dynamicJson: true,
  disableDefaultMutations: true,
  graphiql: false,
  enableCors: true,
  disableQueryLog: true,
  ignoreRBAC: false,
  setofFunctionsContainNulls: false,
  retryOnInitFail: false,
});

http.createServer(handler).listen(Number(port), "127.0.0.1", () => {
  process.stdout.write(`postgraphile listening on ${port}\n`);
});
