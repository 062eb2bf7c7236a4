// Serves the built OHIF viewer (npm @ohif/app 3.x, its dist/) on loopback for viewer checks, with a
// generated app-config.js (one DICOMweb source at this origin + /dicom-web) and a same-origin proxy
// of /dicom-web/ to the Orthanc under test, so the browser needs no CORS and nothing off-machine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { repoRoot } from './node-process.js';

/** The version fetched with `npm pack` when node_modules has no @ohif/app (see findOhifDist). */
export const OHIF_VERSION = '3.13.2';
const packDir = path.join(repoRoot, '.scratch/ohif');

export interface RunningOhif {
  origin: string;
  /** The viewer URL that opens one study in the basic viewer. */
  viewerUrl: (studyUid: string) => string;
  stop: () => Promise<void>;
}

/**
 * The viewer's dist/ folder: OHIF_DIST, node_modules/@ohif/app/dist, or a tarball fetched once with
 * `npm pack` into .scratch/ohif (the registry mirror here lacks some of @ohif/app's dependencies, so
 * `npm install @ohif/app` fails, while the package's own tarball holds the whole built viewer).
 * Undefined when none can be had: the caller skips its viewer checks and says why.
 */
export function findOhifDist(): string | undefined {
  const candidates =
    [process.env.OHIF_DIST, path.join(repoRoot, 'node_modules/@ohif/app/dist'), path.join(packDir, 'package/dist')];
  const found = candidates.find((d) => d && fs.existsSync(path.join(d, 'index.html')));
  if (found) return found;
  fs.mkdirSync(packDir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `@ohif/app@${OHIF_VERSION}`, '--silent'],
    { cwd: packDir, encoding: 'utf8', timeout: 180_000 });
  const tarball = pack.stdout?.trim().split('\n').pop();
  if (pack.status !== 0 || !tarball) return undefined;
  const untar = spawnSync('tar', ['xzf', tarball], { cwd: packDir });
  const dist = path.join(packDir, 'package/dist');
  return untar.status === 0 && fs.existsSync(path.join(dist, 'index.html')) ? dist : undefined;
}

/** Starts the static server + proxy on a free loopback port. `orthancHttp` is e.g. http://127.0.0.1:8042 */
export async function startOhif(dist: string, orthancHttp: string): Promise<RunningOhif> {
  const target = new URL(orthancHttp);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/dicom-web/')) return proxyToOrthanc(req, res, target);
    if (url.pathname === '/app-config.js') return send(res, 200, 'text/javascript', appConfig());
    serveStatic(dist, url.pathname, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    viewerUrl: (studyUid) => `${origin}/viewer?StudyInstanceUIDs=${encodeURIComponent(studyUid)}`,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * The viewer's configuration: the same file docker compose mounts (docker/ohif-app-config.js). The
 * DICOMweb roots are computed in the page, so they are its own origin; the onboarding tour is marked
 * as already shown and the investigational-use dialog is off, so nothing covers the viewport.
 */
export function appConfig(): string {
  return fs.readFileSync(path.join(repoRoot, 'docker/ohif-app-config.js'), 'utf8');
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.xml': 'application/xml',
};

/** A file from dist/, or index.html for any other path (the viewer routes on the client). */
function serveStatic(dist: string, pathname: string, res: http.ServerResponse): void {
  const file = path.join(dist, path.normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, ''));
  const inside = file.startsWith(dist + path.sep);
  const isFile = inside && fs.existsSync(file) && fs.statSync(file).isFile();
  const chosen = isFile ? file : path.join(dist, 'index.html');
  res.writeHead(200, { 'content-type': contentTypes[path.extname(chosen)] ?? 'application/octet-stream' });
  fs.createReadStream(chosen).pipe(res);
}

function proxyToOrthanc(req: http.IncomingMessage, res: http.ServerResponse, target: URL): void {
  const headers = { ...req.headers, host: target.host };
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
  upstream.on('error', (err) => { if (!res.headersSent) send(res, 502, 'text/plain',
    `Orthanc unreachable: ${err.message}`); else res.destroy(); });
  req.pipe(upstream);
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
