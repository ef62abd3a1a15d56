import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

export const VIEWS_DIR = join(__dirname, 'views');

/** A template in views/ (its file name without .hbs). */
export type PageName = string;

/**
 * The pages' Handlebars: an isolated instance (no global helpers or partials leak in or out),
 * the `layout` partial, and templates compiled once. Every value is escaped (`{{ }}` only; the
 * templates never use triple-stash), so what users typed is shown as text.
 */
export class PageRenderer {
  private readonly hbs = Handlebars.create();
  private readonly pages = new Map<PageName, Handlebars.TemplateDelegate>();

  constructor(dir = VIEWS_DIR) {
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      const name = file.replace(/\.hbs$/, '');
      if (name.startsWith('_')) this.hbs.registerPartial(name.slice(1), source);
      else
        this.pages.set(
          name as PageName,
          this.hbs.compile(source, { strict: false, noEscape: false }),
        );
    }
  }

  render(page: PageName, model: object): string {
    const template = this.pages.get(page);
    if (!template) throw new Error(`no template ${page}.hbs`);
    return template(model);
  }
}
