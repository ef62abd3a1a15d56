import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@lapse/auth';
import type { AccessRequest, ReviewQueueView } from '@lapse/contracts';
import { ApiErrors, LapseError, type Page } from '@lapse/platform';
import {
  AccessRequestPage,
  AccessRequestResponse,
  CountRequestsQuery,
  CountResponse,
  ListRequestsQuery,
  ReviewDto,
  ReviewQueueResponse,
  SubmitRequestDto,
} from './access-requests.dto';
import { AccessRequestsService } from './access-requests.service';
import { viewerOf } from './viewer';

/** How many requests the review page shows (open ones first). */
const REVIEW_QUEUE_SIZE = 200;

/** The requests API. Every route checks the caller (global AuthGuard); rule 6 in the service. */
@ApiTags('access-requests')
@ApiBearerAuth()
@Controller('v1/access-requests')
export class AccessRequestsController {
  constructor(private readonly requests: AccessRequestsService) {}

  @Post()
  @HttpCode(200)
  @ApiErrors(404, 409)
  @ApiOperation({
    summary: 'Ask for access as the token’s user (AUTOMATIC: APPROVED at once; MANUAL: PENDING)',
  })
  @ApiHeader({
    name: 'idempotency-key',
    required: false,
    description: 'A retry with the same key returns the same request',
  })
  @ApiOkResponse({ type: AccessRequestResponse })
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SubmitRequestDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<AccessRequest> {
    if (principal.kind !== 'user') throw LapseError.forbidden('only users request access');
    if (idempotencyKey !== undefined && idempotencyKey.length > 200) {
      throw LapseError.validation('Idempotency-Key', 'must be at most 200 characters');
    }
    return this.requests.submit(principal.id, body, idempotencyKey);
  }

  @Get()
  @ApiOperation({
    summary: 'Open requests and those resolved in the last 90 days that the caller may see',
  })
  @ApiOkResponse({ type: AccessRequestPage })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() q: ListRequestsQuery,
  ): Promise<Page<AccessRequest>> {
    const page = await this.requests.list(viewerOf(principal), q);
    return { items: page.items.map((v) => v.request), nextCursor: page.nextCursor };
  }

  @Get('count')
  @ApiOperation({ summary: 'How many open requests the caller may see (the console’s bell)' })
  @ApiOkResponse({ type: CountResponse })
  async count(
    @CurrentPrincipal() principal: Principal,
    @Query() q: CountRequestsQuery,
  ): Promise<CountResponse> {
    const viewer = viewerOf(principal);
    const [count, reviewer] = await Promise.all([
      this.requests.countOpen(viewer),
      this.requests.approvesAnything(viewer),
    ]);
    return { status: q.status, count, reviewer };
  }

  @Get('review-queue')
  @ApiOperation({
    summary:
      'The review page: open requests and those resolved in the last 90 days that the caller may see, each with whether the caller may decide it',
  })
  @ApiOkResponse({ type: ReviewQueueResponse })
  async reviewQueue(@CurrentPrincipal() principal: Principal): Promise<ReviewQueueView> {
    if (principal.kind !== 'user') throw LapseError.forbidden('the review queue is a user’s');
    const viewer = viewerOf(principal);
    const [visible, reviewer] = await Promise.all([
      this.requests.list(viewer, { limit: REVIEW_QUEUE_SIZE }),
      this.requests.approvesAnything(viewer),
    ]);
    return {
      reviewer,
      items: visible.items.map(({ request, right }) => ({
        request,
        canDecide: right.allowed && request.status === 'PENDING',
        whyNot: right.allowed || right.why === 'SERVICE' ? null : right.why,
      })),
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: AccessRequestResponse })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<AccessRequest> {
    return (await this.requests.get(viewerOf(principal), id)).request;
  }

  @Post(':id/approve')
  @ApiErrors(409)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve (ADMIN, DEVOPS, ACCESS_REVIEWER, or an approver of the resource; never your own)',
  })
  @ApiOkResponse({ type: AccessRequestResponse })
  approve(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: ReviewDto,
  ): Promise<AccessRequest> {
    return this.requests.decide(viewerOf(principal), id, 'APPROVE', body.note);
  }

  @Post(':id/deny')
  @ApiErrors(409)
  @HttpCode(200)
  @ApiOkResponse({ type: AccessRequestResponse })
  deny(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: ReviewDto,
  ): Promise<AccessRequest> {
    return this.requests.decide(viewerOf(principal), id, 'DENY', body.note);
  }

  @Post(':id/cancel')
  @ApiErrors(409)
  @HttpCode(200)
  @ApiOperation({
    summary: 'The requester withdraws their open request (CANCELLED; the grant stays LOCKED)',
  })
  @ApiOkResponse({ type: AccessRequestResponse })
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<AccessRequest> {
    return this.requests.cancel(viewerOf(principal), id);
  }
}
