// The application backend of the hook benchmarks (bench/handshakes.sh, bench/backend.sh): answers
// every hook after --delay-ms (default 1), as a backend that looks a session up would. The connect
// hook names the user from auth.name; an RPC answers {reply: args[0]}. It does not check
// signatures: the benchmark measures the node, not the backend.
//   node bench/peers/hook-backend.mjs --port 0 [--delay-ms 1]   prints "listening on http://…"
import http from "node:http";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
};
const delay = Number(arg("--delay-ms", "1"));

const answers = {
  "/connect": (body) => ({ user: body.auth?.name ?? "bench" }),
  "/rpc": (body) => ({ reply: body.args?.[0] ?? null }),
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const answer = answers[req.url];
    const body = answer ? JSON.stringify(answer(JSON.parse(Buffer.concat(chunks).toString("utf8")))) : "{}";
    setTimeout(() => {
      res.writeHead(answer ? 200 : 404, { "content-type": "application/json" });
      res.end(body);
    }, delay);
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(arg("--port", "0")), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
