import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';

/**
 * `Server-Timing: app;dur=<ms>` (W3C Server Timing) on every answer: the time this process spent on the request, from
 * its arrival to its headers (the JSON body is serialised by then). Browsers show it in their network panel; the web
 * benchmark reads it to tell the server's share from the client's, and operators can log it at their proxy.
 */
export function serverTiming(_req: Request, res: Response, next: NextFunction): void {
  const start = process.hrtime.bigint();
  onHeaders(res, function (this: Response) {
    this.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(2)}`);
  });
  next();
}
