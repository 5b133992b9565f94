/** A named route parameter as text; empty when restify found none (its params are untyped). */
import type { Request } from 'restify';

export function routeParam(req: Request, name: string): string {
  const params: unknown = req.params;
  if (typeof params !== 'object' || params === null) return '';
  const value: unknown = (params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
