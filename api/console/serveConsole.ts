import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { CONSOLE_DIST } from '../../platform/console/consoleBuild';
import { ApiError } from '../errors';

/**
 * The console's Content-Security-Policy: scripts only from the hub itself (no inline script, no
 * eval), no framing, API calls to the same origin only. Styles may be inline because the
 * component library writes its CSS variables in a <style> element; images may come from any
 * https origin for a tenant's logo URL.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Serves the built console (console/dist) at /console: hashed assets cached for a year
 * (`immutable`), every other path under /console answered with index.html and `no-cache`, so a
 * deep link works and a new build is picked up at the next load. Without a build it answers 503
 * CONSOLE_NOT_BUILT and says how to build it.
 */
export function serveConsole(distDir: string = CONSOLE_DIST): Router {
  const router = Router();
  const indexFile = path.join(distDir, 'index.html');

  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    next();
  });
  router.use(
    '/console/assets',
    express.static(path.join(distDir, 'assets'), {
      immutable: true,
      maxAge: ONE_YEAR_SECONDS * 1000,
      index: false,
      fallthrough: false,
    }),
  );
  const sendIndex: RequestHandler = (_req, res, next) => {
    fs.readFile(indexFile, (error, html) => {
      if (error) return next(new ApiError(503, 'CONSOLE_NOT_BUILT', 'The console is not built: run `npm run console:build` (npm start does it for you)'));
      res.status(200).type('html').setHeader('Cache-Control', 'no-cache').send(html);
    });
  };
  // Middleware rather than routes: the console's pages are not API operations (the OpenAPI
  // coverage test holds every Express route to the document).
  router.use('/console', (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? sendIndex(req, res, next) : next()));
  router.use((req, res, next) => (req.path === '/' && (req.method === 'GET' || req.method === 'HEAD') ? res.redirect(302, '/console/') : next()));
  return router;
}
