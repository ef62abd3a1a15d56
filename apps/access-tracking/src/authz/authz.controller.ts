import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '@lapse/auth';
import { routeOf } from './authz-server';
import { ForwardAuth, PROXY_TOKEN_HEADER } from './forward-auth';

const HEADERS = [
  { name: 'X-Original-URL', required: false, description: 'nginx: the original URL' },
  { name: 'X-Forwarded-Host', required: false, description: 'Traefik, Caddy: original host' },
  { name: 'X-Forwarded-Uri', required: false, description: 'Traefik, Caddy: original path' },
  {
    name: PROXY_TOKEN_HEADER,
    required: false,
    description: 'Bearer <proxy token>, for a proxy outside LAPSE_AUTHZ_TRUSTED_PROXIES',
  },
];

/**
 * The forward-auth endpoints as OpenAPI shows them. AuthzServer answers these paths before
 * Nest (any method); this controller gives the same answers when a request does reach Nest.
 * Public to the guard: who may ask (a trusted peer or a proxy token) is checked by ForwardAuth.
 */
@ApiTags('forward-auth')
@Controller('v1/authz')
export class AuthzController {
  constructor(private readonly forwardAuth: ForwardAuth) {}

  @Get('auth-request')
  @Public()
  @ApiOperation({ summary: 'nginx auth_request (any method)' })
  @ApiHeader(HEADERS[0])
  @ApiHeader(HEADERS[3])
  @ApiResponse({ status: 200, description: 'allowed; X-Lapse-User-Id/-User-Email/-Resource-Id' })
  @ApiResponse({ status: 401, description: 'sign in or the block page: X-Lapse-Location' })
  @ApiResponse({ status: 403, description: 'no grant, expired, revoked, locked (API client)' })
  authRequest(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.answer(req, res);
  }

  @Get('forward-auth')
  @Public()
  @ApiOperation({ summary: 'Traefik ForwardAuth, Caddy forward_auth (any method)' })
  @ApiHeader(HEADERS[1])
  @ApiHeader(HEADERS[2])
  @ApiHeader(HEADERS[3])
  @ApiResponse({ status: 200, description: 'allowed; X-Lapse-User-Id/-User-Email/-Resource-Id' })
  @ApiResponse({ status: 302, description: 'a browser to sign-in or the block page' })
  @ApiResponse({ status: 401, description: 'API client without a credential (JSON)' })
  @ApiResponse({ status: 403, description: 'no grant, locked, expired, revoked (JSON)' })
  forwardAuthCheck(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.answer(req, res);
  }

  @Get('ext-authz/*path')
  @Public()
  @ApiOperation({
    summary: 'Envoy ext_authz (HTTP service; any method): the original path follows the prefix',
  })
  @ApiParam({ name: 'path', description: 'The original request path (after the prefix)' })
  @ApiHeader(HEADERS[3])
  @ApiResponse({ status: 200, description: 'allowed; X-Lapse-User-Id/-User-Email/-Resource-Id' })
  @ApiResponse({ status: 302, description: 'a browser to sign-in or the block page' })
  @ApiResponse({ status: 403, description: 'no grant, locked, expired, revoked (JSON)' })
  extAuthz(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.answer(req, res);
  }

  private async answer(req: Request, res: Response): Promise<void> {
    const route = routeOf(req.originalUrl);
    if (!route) {
      res.status(404).end();
      return;
    }
    const a = await this.forwardAuth.check(route.convention, {
      method: req.method,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
      ownPath: route.ownPath,
    });
    res.status(a.status).set({ ...a.headers, 'cache-control': 'no-store' });
    res.end(a.body ?? '');
  }
}
