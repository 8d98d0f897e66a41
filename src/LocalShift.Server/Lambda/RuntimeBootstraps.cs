namespace LocalShift.Server.Lambda;

/// <summary>
/// LocalShift's runtime clients for Node.js and Python: each loads the handler named by <c>_HANDLER</c> from
/// <c>LAMBDA_TASK_ROOT</c> and loops on the Runtime API (next → handler → response or error), as Lambda's own runtimes
/// do, with Lambda's log line format and error documents. Written to the data dir at start.
/// </summary>
internal static class RuntimeBootstraps
{
    public static void Write(string runtimeDir)
    {
        Directory.CreateDirectory(Path.Combine(runtimeDir, "node"));
        Directory.CreateDirectory(Path.Combine(runtimeDir, "python"));
        File.WriteAllText(Path.Combine(runtimeDir, "node", "index.mjs"), Fill(Node));
        File.WriteAllText(Path.Combine(runtimeDir, "python", "bootstrap.py"), Fill(Python));
    }

    private static string Fill(string bootstrap) =>
        bootstrap.Replace("@MARKER@", FunctionInstance.FlushMarker).Replace("@QUIET@", FunctionInstance.QuietHeader);

    private const string Node = """
        // LocalShift's Node.js runtime client for Lambda functions (ESM and CommonJS handlers, async and callback style).
        import net from 'node:net';
        import fs from 'node:fs';
        import path from 'node:path';
        import util from 'node:util';
        import { pathToFileURL } from 'node:url';

        const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
        const root = process.env.LAMBDA_TASK_ROOT;
        const base = '/2018-06-01/runtime';
        let requestId;

        // One keep-alive HTTP/1.1 connection to LocalShift's Runtime API, one request at a time. Written on a plain socket
        // rather than node:http: the Runtime API is LocalShift's own small server (it always answers with Content-Length), and
        // node:http's request and response objects cost about as much CPU per invocation as a 2,048-row batch's JSON.
        const connection = net.connect({ host, port: Number(port), noDelay: true });
        let waiting = null;  // the request in flight: { resolve, reject }, and its response's head once read
        let chunks = [];     // bytes read and not yet taken as a response
        let have = 0;
        connection.on('data', (chunk) => {
          chunks.push(chunk);
          have += chunk.length;
          take();
        });
        const fail = (e) => {
          const w = waiting;
          waiting = null;
          w?.reject(e ?? new Error('the Runtime API closed the connection'));
        };
        connection.on('error', fail);
        connection.on('close', () => fail());

        function joined() {
          if (chunks.length > 1) chunks = [Buffer.concat(chunks, have)];
          return chunks[0];
        }

        function rest(all, from) {
          chunks = from < all.length ? [all.subarray(from)] : [];
          have = all.length - from;
        }

        function take() {
          const w = waiting;
          if (w === null || have === 0) return;
          if (w.head === undefined) {
            const all = joined();
            const end = all.indexOf('\r\n\r\n');
            if (end < 0) return;
            const lines = all.toString('latin1', 0, end).split('\r\n');
            const headers = {};
            for (const line of lines.slice(1)) {
              const colon = line.indexOf(':');
              if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
            }
            w.head = { status: Number(lines[0].split(' ')[1]), headers, length: Number(headers['content-length'] ?? 0) };
            rest(all, end + 4);
          }
          if (have < w.head.length) return;
          let body = Buffer.alloc(0);
          if (w.head.length > 0) {
            const all = joined();
            body = all.subarray(0, w.head.length);
            rest(all, w.head.length);
          }
          waiting = null;
          w.resolve({ status: w.head.status, headers: w.head.headers, body });
        }

        function call(method, p, body, headers = {}) {
          return new Promise((resolve, reject) => {
            if (connection.destroyed) {
              reject(new Error('the Runtime API closed the connection'));
              return;
            }
            const data = body === undefined ? undefined : Buffer.from(body);
            let head = `${method} ${base}${p} HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
            // A header value cannot hold a line break (an error type is the function's own text).
            for (const [k, v] of Object.entries(headers)) head += `${k}: ${String(v).replace(/[\r\n]/g, ' ')}\r\n`;
            if (data) head += `Content-Type: application/json\r\nContent-Length: ${data.length}\r\n`;
            head += '\r\n';
            waiting = { resolve, reject };
            connection.write(data ? Buffer.concat([Buffer.from(head, 'latin1'), data]) : Buffer.from(head, 'latin1'));
            take();
          });
        }

        // LocalShift is gone (or stopping this instance): nothing is left to serve.
        const gone = () => process.exit(0);

        // Whether anything was written to the log since the last flush marker: an invocation that printed nothing posts
        // its result without a marker (and says so), so LocalShift has no line to wait for.
        let printed = false;
        const writeOut = process.stdout.write.bind(process.stdout);
        for (const stream of [process.stdout, process.stderr]) {
          const write = stream.write.bind(stream);
          stream.write = (...args) => {
            printed = true;
            return write(...args);
          };
        }
        function flushMarker() {
          if (!printed) return { '@QUIET@': '1' };
          writeOut('@MARKER@\n');
          printed = false;
          return {};
        }

        // console as Lambda's: time, request id and level before each message, one line per message.
        for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
          console[name] = (...args) => {
            const text = util.format(...args).replace(/\n/g, '\r');
            process.stdout.write(`${new Date().toISOString()}\t${requestId ?? 'undefined'}\t${level}\t${text}\n`);
          };
        }

        function errorDocument(e) {
          if (e instanceof Error) {
            return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack || '').split('\n') };
          }
          return { errorType: typeof e === 'string' ? 'string' : typeof e, errorMessage: typeof e === 'string' ? e : JSON.stringify(e), trace: [] };
        }

        function named(name, message) {
          const e = new Error(message);
          e.name = name;
          return e;
        }

        async function loadHandler() {
          const handler = process.env._HANDLER || '';
          const slash = handler.lastIndexOf('/');
          const dot = handler.indexOf('.', slash + 1);
          if (dot < 0) throw named('Runtime.MalformedHandlerName', `Bad handler ${handler}: missing handler function name`);
          const modulePath = handler.slice(0, dot);
          const functionPath = handler.slice(dot + 1);
          const file = ['.js', '.mjs', '.cjs'].map((x) => path.resolve(root, modulePath) + x).find((f) => fs.existsSync(f));
          if (!file) throw named('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
          let mod;
          try {
            mod = await import(pathToFileURL(file).href);
          } catch (e) {
            if (e instanceof SyntaxError) throw named('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`);
            throw e;
          }
          const find = (from) => functionPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), from);
          const fn = find(mod) ?? find(mod.default);
          if (typeof fn !== 'function') throw named('Runtime.HandlerNotFound', `${handler} is undefined or not exported`);
          return fn;
        }

        // The callback (and context.done/succeed/fail) closes over this function's scope, not run's: a closure over
        // run's scope would keep the event alive as long as the context, across the next Runtime API round trips, so every
        // batch would be promoted to the old generation and paid for again in full collections (measured on 2,048-row
        // batches: twice the CPU and three to four times the wall time per invocation).
        function settlement(context) {
          let resolve, reject;
          const promise = new Promise((a, b) => { resolve = a; reject = b; });
          let settled = false;
          const callback = (err, value) => {
            if (settled) return;
            settled = true;
            if (err !== undefined && err !== null) reject(err); else resolve(value);
          };
          context.done = callback;
          context.succeed = (v) => callback(null, v);
          context.fail = (e) => callback(e ?? new Error('handled'));
          return { promise, callback };
        }

        function run(handler, event, context) {
          const { promise, callback } = settlement(context);
          let returned;
          try {
            returned = handler(event, context, callback);
          } catch (e) {
            callback(e);
            return promise;
          }
          if (returned && typeof returned.then === 'function') returned.then((v) => callback(null, v), (e) => callback(e));
          else if (handler.length < 3) callback(null, returned);
          return promise;
        }

        let handler;
        try {
          handler = await loadHandler();
        } catch (e) {
          const doc = errorDocument(e);
          console.error('Uncaught Exception', JSON.stringify(doc));
          writeOut('@MARKER@\n');
          await call('POST', '/init/error', JSON.stringify(doc), { 'Lambda-Runtime-Function-Error-Type': doc.errorType }).catch(() => {});
          process.exit(1);
        }

        for (;;) {
          let next;
          try {
            next = await call('GET', '/invocation/next');
          } catch {
            gone();
          }
          if (next.status !== 200) gone();
          requestId = next.headers['lambda-runtime-aws-request-id'];
          const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
          const context = {
            callbackWaitsForEmptyEventLoop: true,
            functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
            functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
            invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
            memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
            awsRequestId: requestId,
            logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
            logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
            getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
          };
          let target = `/invocation/${requestId}/response`;
          let body;
          let headers = {};
          try {
            const result = await run(handler, JSON.parse(next.body.toString('utf8')), context);
            body = JSON.stringify(result === undefined ? null : result);
          } catch (e) {
            const doc = errorDocument(e);
            console.error('Invoke Error', JSON.stringify(doc));
            target = `/invocation/${requestId}/error`;
            body = JSON.stringify(doc);
            headers = { 'Lambda-Runtime-Function-Error-Type': doc.errorType };
          }
          Object.assign(headers, flushMarker());
          try {
            await call('POST', target, body, headers);
          } catch {
            gone();
          }
        }

        """;

    private const string Python = """
        # LocalShift's Python runtime client for Lambda functions (handler 'module.function').
        import http.client
        import importlib
        import json
        import logging
        import os
        import sys
        import time
        import traceback

        host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].rsplit(':', 1)
        connection = http.client.HTTPConnection(host, int(port))
        base = '/2018-06-01/runtime'
        request_id = None


        # The function's stdout and stderr, one stream in the order written, noting whether anything was written since the
        # last flush marker: an invocation that printed nothing posts its result without one (and says so).
        class _Log:
            def __init__(self, stream):
                self._stream = stream
                self.printed = False

            def write(self, text):
                self.printed = True
                return self._stream.write(text)

            def __getattr__(self, name):
                return getattr(self._stream, name)


        _log = sys.stdout = sys.stderr = _Log(sys.stdout)


        def flush_marker(headers):
            if not _log.printed:
                headers['@QUIET@'] = '1'
                return
            _log.flush()
            _log._stream.write('@MARKER@\n')
            _log._stream.flush()
            _log.printed = False


        def call(method, path, body=None, headers=None):
            try:
                connection.request(method, base + path, body=body, headers=headers or {})
                response = connection.getresponse()
                return response, response.read()
            except (OSError, http.client.HTTPException):
                # LocalShift is gone (or stopping this instance): nothing is left to serve.
                os._exit(0)


        class _RequestId(logging.Filter):
            def filter(self, record):
                record.aws_request_id = request_id
                return True


        _handler = logging.StreamHandler(sys.stdout)
        _handler.setFormatter(logging.Formatter('[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s', '%Y-%m-%dT%H:%M:%S'))
        _handler.formatter.converter = time.gmtime
        _handler.addFilter(_RequestId())
        logging.getLogger().addHandler(_handler)


        class LambdaContext:
            def __init__(self, request_id, arn, deadline_ms):
                self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME')
                self.function_version = os.environ.get('AWS_LAMBDA_FUNCTION_VERSION')
                self.invoked_function_arn = arn
                self.memory_limit_in_mb = os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE')
                self.aws_request_id = request_id
                self.log_group_name = os.environ.get('AWS_LAMBDA_LOG_GROUP_NAME')
                self.log_stream_name = os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME')
                self.identity = None
                self.client_context = None
                self._deadline_ms = deadline_ms

            def get_remaining_time_in_millis(self):
                return max(0, self._deadline_ms - int(time.time() * 1000))


        def error_document(error, error_type=None):
            return {
                'errorMessage': str(error),
                'errorType': error_type or type(error).__name__,
                'requestId': request_id or '',
                'stackTrace': traceback.format_list(traceback.extract_tb(error.__traceback__))[1:] if error.__traceback__ else [],
            }


        def load_handler():
            handler = os.environ.get('_HANDLER', '')
            if '.' not in handler:
                raise RuntimeError(('Runtime.MalformedHandlerName', f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)"))
            module_name, function_name = handler.rsplit('.', 1)
            module_name = module_name.replace('/', '.')
            sys.path.insert(0, os.environ['LAMBDA_TASK_ROOT'])
            try:
                module = importlib.import_module(module_name)
            except SyntaxError as e:
                raise RuntimeError(('Runtime.UserCodeSyntaxError', f"Syntax error in module '{module_name}': {e}"))
            except ImportError as e:
                raise RuntimeError(('Runtime.ImportModuleError', f"Unable to import module '{module_name}': {e}"))
            fn = getattr(module, function_name, None)
            if fn is None:
                raise RuntimeError(('Runtime.HandlerNotFound', f"Handler '{function_name}' missing on module '{module_name}'"))
            return fn


        try:
            handler = load_handler()
        except Exception as e:
            if isinstance(e, RuntimeError) and len(e.args) == 1 and isinstance(e.args[0], tuple):
                kind, message = e.args[0]
                doc = {'errorMessage': message, 'errorType': kind, 'requestId': '', 'stackTrace': []}
            else:
                doc = error_document(e)
            print(f"[ERROR] {doc['errorType']}: {doc['errorMessage']}", flush=True)
            print('@MARKER@', flush=True)
            call('POST', '/init/error', json.dumps(doc).encode(), {'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': doc['errorType']})
            sys.exit(1)

        while True:
            response, body = call('GET', '/invocation/next')
            if response.status != 200:
                os._exit(0)
            request_id = response.getheader('Lambda-Runtime-Aws-Request-Id')
            context = LambdaContext(request_id, response.getheader('Lambda-Runtime-Invoked-Function-Arn'),
                                    int(response.getheader('Lambda-Runtime-Deadline-Ms')))
            target = f'/invocation/{request_id}/response'
            headers = {'Content-Type': 'application/json'}
            try:
                result = handler(json.loads(body), context)
                try:
                    out = json.dumps(result)
                except (TypeError, ValueError) as e:
                    raise RuntimeError(('Runtime.MarshalError', f'Unable to marshal response: {e}'))
            except Exception as e:
                if isinstance(e, RuntimeError) and len(e.args) == 1 and isinstance(e.args[0], tuple):
                    kind, message = e.args[0]
                    doc = {'errorMessage': message, 'errorType': kind, 'requestId': request_id, 'stackTrace': []}
                else:
                    doc = error_document(e)
                trace = ''.join(traceback.format_exception(type(e), e, e.__traceback__)).replace('\n', '\r')
                print(f"[ERROR] {doc['errorType']}: {doc['errorMessage']}\r{trace}", flush=True)
                target = f'/invocation/{request_id}/error'
                headers['Lambda-Runtime-Function-Error-Type'] = doc['errorType']
                out = json.dumps(doc)
            flush_marker(headers)
            call('POST', target, out.encode(), headers)

        """;
}
