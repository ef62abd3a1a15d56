import { Controller, Get, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '@lapse/platform';
import { CurrentSession, OptionalSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { PageErrorFilter } from './page-error.filter';
import { PageRenderer } from './page-renderer';
import { PageShell } from './page-shell';

const CSS = readFileSync(join(__dirname, 'assets', 'lapse.css'), 'utf8');

/** The landing page and the stylesheet. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller()
export class HomeController {
  constructor(
    private readonly renderer: PageRenderer,
    private readonly shell: PageShell,
  ) {}

  @Public()
  @Get('assets/lapse.css')
  css(@Res() res: Response): void {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600').send(CSS);
  }

  @OptionalSession()
  @Get()
  async home(
    @CurrentSession() signedIn: SignedIn | undefined,
    @Res() res: Response,
  ): Promise<void> {
    sendPage(
      res,
      200,
      this.renderer.render('home', {
        title: signedIn ? 'Home' : 'Sign in',
        ...(await this.shell.of(signedIn, 'home')),
      }),
    );
  }
}

/** An HTML page that is never cached (it shows who is signed in). */
export function sendPage(res: Response, status: number, html: string): void {
  res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(html);
}
