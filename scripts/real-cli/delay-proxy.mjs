// A proxy that forwards each request to TARGET after DELAY ms, so that `claude -p` stays
// alive past its ~5 s housekeeping timer (its cleanup). Usage: node delay-proxy.mjs TARGET PORT_FILE [DELAY]
import fs from 'node:fs';
import http from 'node:http';

const [, , target, portFile, delay = '9000'] = process.argv;
const srv = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () =>
    setTimeout(() => {
      const up = http.request(target + req.url, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      up.end(Buffer.concat(chunks));
    }, Number(delay)),
  );
});
srv.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(srv.address().port)));
