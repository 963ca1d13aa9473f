// Drives faltrain-sim with the official fal JavaScript client (@fal-ai/client, pinned in
// package-lock.json) through its requestMiddleware host rewrite, and checks that every call
// succeeds and returns what the simulator itself reports — polling and the SSE status stream
// (`mode: "streaming"`) alike.
//
// Usage: node check.js <path to faltrain-sim>
// Needs NODE_PATH or a node_modules next to it with @fal-ai/client installed.

"use strict";

const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const crypto = require("node:crypto");
const http = require("node:http");
const readline = require("node:readline");
// Node 20 has a global File; Debian 12's Node 18 keeps it in node:buffer.
const File = globalThis.File ?? require("node:buffer").File;

const { createFalClient, ApiError, ValidationError } = require("@fal-ai/client");

const simBinary = process.argv[2];
if (!simBinary) {
  console.error("usage: node check.js <faltrain-sim>");
  process.exit(2);
}

const TRAINER = "fal-ai/flux-lora-portrait-trainer";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let step = "start";
const log = (message) => console.log(`[check] ${message}`);

async function startSimulator() {
  const child = spawn(simBinary, [
    "--port", "0", "--webhooks", "--seed", "20260101",
    "--duration", "4", "--queue-duration", "1.5", "--generation-duration", "0.5",
    "--webhook-retry-base", "0.2",
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("faltrain-sim did not report its port")), 15000);
    lines.on("line", (line) => {
      const m = /^faltrain-sim listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", () => reject(new Error("faltrain-sim exited before listening")));
  });
  return { child, url, exited };
}

// A webhook receiver on 127.0.0.1 that records raw bodies and headers.
async function startReceiver() {
  const received = [];
  let notify = () => {};
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      notify();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/hooks/fal`;
  const waitFor = async (predicate, ms = 20000) => {
    const deadline = Date.now() + ms;
    while (!predicate(received)) {
      if (Date.now() > deadline) throw new Error("timed out waiting for a webhook");
      await new Promise((resolve) => { notify = resolve; setTimeout(resolve, 200); });
    }
  };
  return { server, url, received, waitFor };
}

function verifyWebhook(hook, jwks) {
  const h = hook.headers;
  for (const name of ["x-fal-webhook-request-id", "x-fal-webhook-user-id",
                      "x-fal-webhook-timestamp", "x-fal-webhook-signature"]) {
    assert.ok(h[name], `webhook header ${name} missing`);
  }
  const digest = crypto.createHash("sha256").update(hook.body).digest("hex");
  const message = Buffer.from(`${h["x-fal-webhook-request-id"]}\n${h["x-fal-webhook-user-id"]}\n` +
                              `${h["x-fal-webhook-timestamp"]}\n${digest}`, "utf8");
  const signature = Buffer.from(h["x-fal-webhook-signature"], "hex");
  assert.equal(signature.length, 64);
  return jwks.keys.some((k) => {
    const key = crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: k.x }, format: "jwk" });
    return crypto.verify(null, message, key, signature);
  });
}

async function main() {
  const sim = await startSimulator();
  const receiver = await startReceiver();
  log(`simulator at ${sim.url}, webhook receiver at ${receiver.url}`);
  const rewrites = [];
  const fal = createFalClient({
    credentials: "sim-key-id:sim-key-secret",
    requestMiddleware: async (request) => {
      const url = request.url
        .replace(/^https:\/\/queue\.fal\.run/, sim.url)
        .replace(/^https:\/\/rest\.fal\.ai/, sim.url);
      rewrites.push(request.url);
      return { ...request, url };
    },
  });
  const simGet = async (path) => {
    const r = await fetch(sim.url + path);
    return { status: r.status, body: await r.json() };
  };
  const fetchStatus = async (requestId, logs) => {
    const r = await fetch(`${sim.url}/${TRAINER}/requests/${requestId}/status${logs ? "?logs=1" : ""}`);
    return { code: r.status, body: await r.json() };
  };

  try {
    step = "storage.upload";
    const zip = Buffer.concat([Buffer.from("PK\x03\x04"), crypto.randomBytes(4096)]);
    const fileUrl = await fal.storage.upload(new File([zip], "faces.zip", { type: "application/zip" }));
    assert.match(fileUrl, new RegExp(`^${sim.url}/files/[a-z]+/[A-Za-z0-9_-]{21}_faces\\.zip$`));
    const download = await fetch(fileUrl);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), zip);
    assert.ok(rewrites.some((u) => u.startsWith("https://rest.fal.ai/storage/upload/initiate")));
    log(`${step}: ${fileUrl}`);

    step = "storage.upload, multipart (over 90 MiB)";
    const big = Buffer.alloc(91 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const bigUrl = await fal.storage.upload(new File([big], "big.zip", { type: "application/zip" }));
    assert.ok(rewrites.some((u) => u.startsWith("https://rest.fal.ai/storage/upload/initiate-multipart")));
    const bigDownload = Buffer.from(await (await fetch(bigUrl)).arrayBuffer());
    assert.equal(bigDownload.length, big.length);
    assert.ok(bigDownload.equals(big));
    log(`${step}: ${bigUrl}`);

    step = "queue.submit with webhook";
    const submitted = await fal.queue.submit(TRAINER, {
      input: { images_data_url: fileUrl, trigger_phrase: "ohwx person", steps: 40 },
      webhookUrl: receiver.url,
    });
    const id = submitted.request_id;
    assert.equal(submitted.status, "IN_QUEUE");
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(submitted.status_url, `${sim.url}/${TRAINER}/requests/${id}/status`);
    assert.ok(rewrites.includes(`https://queue.fal.run/${TRAINER}?fal_webhook=${encodeURIComponent(receiver.url)}`));
    assert.deepEqual((await simGet("/_sim/received")).body.slice(-1), [id]);
    log(`${step}: ${id}`);

    step = "queue.status with logs";
    const queued = await fal.queue.status(TRAINER, { requestId: id, logs: true });
    assert.equal(queued.status, "IN_QUEUE");
    assert.equal(typeof queued.queue_position, "number");
    let running;
    for (let i = 0; i < 100; i++) {
      running = await fal.queue.status(TRAINER, { requestId: id, logs: true });
      if (running.status === "IN_PROGRESS" && running.logs.some((l) => /^step \d+\/40/.test(l.message))) break;
      await sleep(100);
    }
    assert.equal(running.status, "IN_PROGRESS");
    const direct = await fetchStatus(id, true);
    assert.equal(direct.code, 202);
    assert.ok(direct.body.logs.length >= running.logs.length, "logs only grow");
    assert.deepEqual(direct.body.logs.slice(0, running.logs.length), running.logs);
    for (const l of running.logs) assert.deepEqual(Object.keys(l).sort(), ["level", "message", "source", "timestamp"]);
    const withoutLogs = await fal.queue.status(TRAINER, { requestId: id, logs: false });
    assert.equal(withoutLogs.logs, undefined);
    log(`${step}: ${running.logs.length} log lines, last "${running.logs.at(-1).message}"`);

    step = "queue.status until COMPLETED";
    let done;
    for (let i = 0; i < 200; i++) {
      done = await fal.queue.status(TRAINER, { requestId: id, logs: true });
      if (done.status === "COMPLETED") break;
      await sleep(100);
    }
    assert.equal(done.status, "COMPLETED");
    assert.ok(done.logs.some((l) => l.message.startsWith("step 40/40")));
    assert.equal(typeof done.metrics.inference_time, "number");

    step = "queue.result";
    const result = await fal.queue.result(TRAINER, { requestId: id });
    assert.equal(result.requestId, id);
    const lora = result.data.diffusers_lora_file;
    assert.equal(lora.file_name, "pytorch_lora_weights.safetensors");
    const weights = await fetch(lora.url);
    assert.equal(weights.status, 200);
    assert.equal((await weights.arrayBuffer()).byteLength, lora.file_size);
    assert.ok(result.data.config_file.url.startsWith(`${sim.url}/files/`));
    log(`${step}: ${lora.url} (${lora.file_size} bytes)`);

    step = "signed webhook";
    await receiver.waitFor((r) => r.some((h) => h.headers["x-fal-webhook-request-id"] === id));
    const hook = receiver.received.find((h) => h.headers["x-fal-webhook-request-id"] === id);
    const payload = JSON.parse(hook.body.toString("utf8"));
    assert.equal(payload.request_id, id);
    assert.equal(payload.gateway_request_id, id);
    assert.equal(payload.status, "OK");
    assert.equal(payload.error, null);
    assert.deepEqual(payload.payload, result.data);
    const jwks = (await simGet("/.well-known/jwks.json")).body;
    assert.ok(verifyWebhook(hook, jwks), "webhook signature verifies against the JWKS");
    const tampered = { ...hook, body: Buffer.from(hook.body.toString("utf8").replace('"OK"', '"ERROR"')) };
    assert.ok(!verifyWebhook(tampered, jwks), "a tampered webhook does not verify");
    log(`${step}: verified with JWKS key ${jwks.keys[0].x}`);

    step = "queue.cancel";
    const toCancel = await fal.queue.submit(TRAINER, { input: { images_data_url: fileUrl } });
    await fal.queue.cancel(TRAINER, { requestId: toCancel.request_id });
    const cancelled = await fal.queue.status(TRAINER, { requestId: toCancel.request_id, logs: false });
    assert.equal(cancelled.status, "COMPLETED");
    assert.equal((await fetchStatus(toCancel.request_id, false)).body.error, "Request was cancelled");
    await assert.rejects(fal.queue.result(TRAINER, { requestId: toCancel.request_id }),
                         (e) => e instanceof ApiError && e.status === 400);
    await assert.rejects(fal.queue.cancel(TRAINER, { requestId: toCancel.request_id }),
                         (e) => e instanceof ApiError && e.status === 400 && e.body.status === "ALREADY_COMPLETED");
    log(`${step}: ${toCancel.request_id} cancelled while queued`);

    step = "subscribe with onQueueUpdate";
    const updates = [];
    const generated = await fal.subscribe("fal-ai/flux-lora", {
      input: { prompt: "photo of ohwx person", loras: [{ path: lora.url, scale: 1 }], image_size: "square_hd" },
      logs: true,
      onQueueUpdate: (u) => updates.push(u),
    });
    assert.ok(updates.length >= 2);
    assert.equal(updates.at(-1).status, "COMPLETED");
    assert.ok(updates.every((u) => ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"].includes(u.status)));
    assert.equal(generated.requestId, updates.at(-1).request_id);
    const image = generated.data.images[0];
    assert.equal(image.width, 1024);
    assert.equal(image.height, 1024);
    assert.equal(generated.data.prompt, "photo of ohwx person");
    const jpeg = Buffer.from(await (await fetch(image.url)).arrayBuffer());
    assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
    log(`${step}: ${updates.map((u) => u.status).join(" -> ")}, image ${image.url}`);

    step = "subscribe with mode: \"streaming\" (the SSE status stream)";
    const streamedUpdates = [];
    const streamed = await fal.subscribe("fal-ai/flux-lora", {
      input: { prompt: "photo of ohwx person", loras: [{ path: lora.url, scale: 1 }], image_size: "square_hd" },
      logs: true,
      mode: "streaming",
      onQueueUpdate: (u) => streamedUpdates.push(u),
    });
    assert.ok(rewrites.some((u) => u.includes(`/requests/${streamed.requestId}/status/stream?logs=1`)),
              "subscribe used the status stream");
    assert.ok(streamedUpdates.length >= 2);
    assert.equal(streamedUpdates.at(-1).status, "COMPLETED");
    assert.ok(streamedUpdates.every((u) => ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"].includes(u.status)));
    assert.equal(streamed.data.images[0].width, 1024);
    log(`${step}: ${streamedUpdates.map((u) => u.status).join(" -> ")}`);

    step = "queue.subscribeToStatus with mode: \"streaming\" on a training";
    const streamedTraining = await fal.queue.submit(TRAINER, {
      input: { images_data_url: fileUrl, trigger_phrase: "ohwx person", steps: 40 },
    });
    const statusUpdates = [];
    const finalStatus = await fal.queue.subscribeToStatus(TRAINER, {
      requestId: streamedTraining.request_id,
      logs: true,
      mode: "streaming",
      onQueueUpdate: (u) => statusUpdates.push(u),
    });
    assert.equal(finalStatus.status, "COMPLETED");
    assert.equal(typeof finalStatus.metrics.inference_time, "number");
    assert.ok(statusUpdates.some((u) => u.status === "IN_QUEUE" && typeof u.queue_position === "number"));
    assert.ok(statusUpdates.some((u) => u.status === "IN_PROGRESS"));
    // fal-js accumulates the events' logs "to match polling": each line must come exactly once.
    const polledAfter = await fetchStatus(streamedTraining.request_id, true);
    assert.deepEqual(statusUpdates.at(-1).logs, polledAfter.body.logs);
    assert.ok(polledAfter.body.logs.some((l) => l.message.startsWith("step 40/40")));
    log(`${step}: ${statusUpdates.length} updates, ${polledAfter.body.logs.length} log lines, each once`);

    step = "a status stream for an unknown request is a 404";
    await assert.rejects(
      fal.queue.subscribeToStatus(TRAINER, { requestId: "no-such-request", mode: "streaming" }),
      (e) => e instanceof ApiError && e.status === 404);

    step = "422 validation error";
    await assert.rejects(
      fal.subscribe("fal-ai/flux-lora", { input: { num_images: 1 } }),
      (e) => e instanceof ValidationError && e.status === 422 &&
             e.getFieldErrors("prompt").length === 1 && e.fieldErrors[0].type === "value_error.missing");

    step = "503 from the ingress is retried by the client";
    const fault = await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: "service_unavailable:op=status,count=1" });
    assert.equal(fault.status, 200);
    const afterRetry = await fal.queue.status(TRAINER, { requestId: id, logs: false });
    assert.equal(afterRetry.status, "COMPLETED");

    step = "clean shutdown";
    sim.child.kill("SIGTERM");
    const exit = await Promise.race([sim.exited, sleep(10000).then(() => ({ code: "timeout" }))]);
    assert.deepEqual(exit, { code: 0, signal: null });
    receiver.server.close();
    log("all official-client calls succeeded and matched the simulator");
  } catch (error) {
    console.error(`[check] FAILED at step "${step}":`, error);
    sim.child.kill("SIGKILL");
    receiver.server.close();
    process.exitCode = 1;
  }
}

main();
