import { Module } from '@nestjs/common';
import { RequestPageController } from './request-page.controller';
import { ReviewPageController } from './review-page.controller';

/** The block / JIT request page and the review page. */
@Module({ controllers: [RequestPageController, ReviewPageController] })
export class AccessPagesModule {}
