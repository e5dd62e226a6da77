import { type RequestHandler } from 'express';
import { type HubConfig } from '../../platform/config';

const CODEC_PATHS = new Set(['/codec/encode', '/codec/decode']);

/**
 * CORS for the codec endpoints: the Temporal UI calls them from the browser, on its own origin
 * (TEMPORAL_UI_URL). That origin, and no other, gets the CORS headers (with credentials, for a UI
 * behind a login proxy); its preflight is answered here, before the routes' 405. The routes still
 * demand the platform admin token: CORS only lets the browser ask.
 */
export function codecCors(config: Pick<HubConfig, 'TEMPORAL_UI_URL'>): RequestHandler {
  const allowedOrigin = new URL(config.TEMPORAL_UI_URL).origin;
  return (req, res, next) => {
    if (!CODEC_PATHS.has(req.path)) {
      next();
      return;
    }
    res.vary('Origin');
    const fromUi = req.headers.origin === allowedOrigin;
    if (fromUi) {
      res.setHeader('Access-Control-Allow-Origin', allowedOrigin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') {
      next();
      return;
    }
    if (fromUi) {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    // Another origin's preflight gets no Allow-Origin, so its browser refuses to send the request.
    res.status(204).end();
  };
}
