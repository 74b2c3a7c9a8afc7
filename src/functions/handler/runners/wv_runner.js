#!/usr/bin/env node
// Runs one AWS Lambda node handler file, unchanged, for wvgate/wvauthz's handler backend.
//
// usage: wv_runner.js FILE FUNCTION FUNCTION_NAME MEMORY_MB
//
// Same protocol as wv_runner.py (see PROTOCOL.md): JSON lines over fd 3, one call at a time.
// console.* output is captured per call and returned with it; handlers may be async
// (return a promise) or take a callback as their third argument.
'use strict';
const net = require('net');
const path = require('path');
const util = require('util');
const url = require('url');

const [file, fnName, functionName, memoryMb] = process.argv.slice(2);
if (!file || !fnName) {
  process.stderr.write('usage: wv_runner.js FILE FUNCTION FUNCTION_NAME MEMORY_MB\n');
  process.exit(2);
}

const channel = new net.Socket({ fd: 3, readable: true, writable: true });
const send = (obj, rawResult) => {
  let data = JSON.stringify(obj);
  if (rawResult !== undefined) data = data.slice(0, -1) + ',"result":' + rawResult + '}';
  channel.write(data + '\n');
};

let lines = [];
let requestId = '';
const capture = (level) => (...args) => {
  if (lines.length >= 1000) return;
  const ts = new Date().toISOString();
  for (const l of util.format(...args).split('\n')) lines.push(`${ts}\t${requestId}\t${level}\t${l}`);
};
console.log = capture('INFO');
console.info = capture('INFO');
console.warn = capture('WARN');
console.error = capture('ERROR');
console.debug = capture('DEBUG');
console.trace = capture('TRACE');
const take = () => { const out = lines; lines = []; return out; };

const errorObject = (err, type) => ({
  errorType: type || (err && err.name) || 'Error',
  errorMessage: err && err.message !== undefined ? String(err.message) : String(err),
  trace: err && err.stack ? String(err.stack).split('\n') : [],
});

async function load() {
  const abs = path.resolve(file);
  if (abs.endsWith('.mjs')) return import(url.pathToFileURL(abs).href);
  try {
    return require(abs);
  } catch (err) {
    if (err && err.code === 'ERR_REQUIRE_ESM') return import(url.pathToFileURL(abs).href);
    throw err;
  }
}

function makeContext(remainingMs) {
  const deadline = Date.now() + remainingMs;
  const region = process.env.AWS_REGION || 'us-east-1';
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '[$LATEST]wvlocal',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function invoke(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, value) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err); else resolve(value);
    };
    context.done = callback;
    context.succeed = (v) => callback(null, v);
    context.fail = (e) => callback(e);
    try {
      const r = handler(event, context, callback);
      // Async handlers (and sync ones with fewer than 3 parameters) answer by returning.
      if (r && typeof r.then === 'function') r.then((v) => callback(null, v), (e) => callback(e));
      else if (handler.length < 3) callback(null, r);
    } catch (err) {
      callback(err);
    }
  });
}

async function handle(handler, line) {
  let call;
  try { call = JSON.parse(line); } catch (_) { process.exit(3); }
  requestId = call.request_id || '';
  try {
    const result = await invoke(handler, call.event, makeContext(call.remaining_ms || 5000));
    let raw = JSON.stringify(result);
    if (raw === undefined) raw = 'null';
    send({ id: call.id, ok: true, logs: take() }, raw);
  } catch (err) {
    send({ id: call.id, ok: false, logs: take(), error: errorObject(err) });
  }
}

async function main() {
  let mod;
  try {
    mod = await load();
  } catch (err) {
    const e = errorObject(err, 'Runtime.ImportModuleError');
    e.errorMessage = `Error: Cannot load module '${path.basename(file)}': ${e.errorMessage}`;
    send({ ready: false, error: e, logs: take() });
    channel.end(() => process.exit(1));
    return;
  }
  const handler = mod && (mod[fnName] || (mod.default && mod.default[fnName]));
  if (typeof handler !== 'function') {
    send({ ready: false, logs: take(),
           error: { errorType: 'Runtime.HandlerNotFound',
                    errorMessage: `${path.basename(file)}.${fnName} is undefined or not exported` } });
    channel.end(() => process.exit(1));
    return;
  }
  send({ ready: true, logs: take() });

  let buffered = '';
  let busy = Promise.resolve();
  channel.on('data', (chunk) => {
    buffered += chunk.toString('utf8');
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      busy = busy.then(() => handle(handler, line));
    }
  });
  channel.on('end', () => process.exit(0));
  channel.on('error', () => process.exit(1));
}

main();
