import { Module } from '@nestjs/common';
import { AccessRequestsModule } from '../access-requests/access-requests.module';
import { PageErrorFilter } from './page-error.filter';
import { PageRenderer } from './page-renderer';
import { PagesController } from './pages.controller';

@Module({
  imports: [AccessRequestsModule],
  controllers: [PagesController],
  providers: [{ provide: PageRenderer, useFactory: () => new PageRenderer() }, PageErrorFilter],
})
export class PagesModule {}
