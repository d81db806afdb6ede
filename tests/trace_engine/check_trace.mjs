// Loads a v3sim trace with Chrome DevTools' trace engine (the npm package
// @paulirish/trace_engine, which parses traces for the Performance panel)
// and prints what the engine made of it as one JSON line, for the test to
// compare with what the scenario implies.
// Usage: node check_trace.mjs TRACE_ENGINE_DIR TRACE.json[.gz]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {pathToFileURL} from 'node:url';

const [engineDir, tracePath] = process.argv.slice(2);
// The engine reads geometry types of the browser; Node has none.
globalThis.DOMRect ??= class DOMRect {
  constructor(x = 0, y = 0, width = 0, height = 0) { Object.assign(this, {x, y, width, height}); }
};
const Trace = await import(pathToFileURL(path.join(engineDir, 'models/trace/trace.js')).href);
let bytes = fs.readFileSync(tracePath);
if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
const events = JSON.parse(bytes.toString('utf8')).traceEvents;
const model = Trace.TraceModel.Model.createWithAllHandlers();
await model.parse(events);
const data = model.parsedTrace()?.data;
if (!data) throw new Error('the trace engine produced no data');
let processes = 0, threads = 0, slices = 0;
for (const process of data.Renderer.processes.values()) {
  ++processes;
  for (const thread of process.threads.values()) {
    ++threads;
    slices += thread.entries.length;
  }
}
console.log(JSON.stringify({processes, threads, slices, flows: data.Flows.flows.length}));
