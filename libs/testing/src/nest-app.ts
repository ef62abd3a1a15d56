/**
 * A Lapse app in the test process (Nest), for suites that reach into its providers: the app
 * module booted as `main.ts` boots it (the validation pipe), listening on a free loopback port.
 */
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestApplicationOptions } from '@nestjs/common';
import { lapseValidationPipe } from '@lapse/platform';

export interface InProcessApp<A extends INestApplication = INestApplication> {
  app: A;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * Boots `module` (an app's `createAppModule(config)`) and listens on 127.0.0.1. `configure`
 * runs before listening (the app's own HTTP setup, body parsers); by default only errors and
 * warnings are logged.
 */
export async function bootInProcess<A extends INestApplication = INestApplication>(
  module: DynamicModule | Type<unknown>,
  {
    options = { logger: ['error', 'warn'] },
    configure,
  }: { options?: NestApplicationOptions; configure?: (app: A) => void } = {},
): Promise<InProcessApp<A>> {
  // @nestjs/testing is not installed: NestFactory boots the same module graph.
  const app = await NestFactory.create<A>(module, options);
  try {
    app.useGlobalPipes(lapseValidationPipe());
    configure?.(app);
    await app.listen(0, '127.0.0.1');
    return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
}
