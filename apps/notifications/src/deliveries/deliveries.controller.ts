import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@lapse/auth';
import { limitOf, type Page } from '@lapse/platform';
import { DeliveryStore } from './delivery.store';
import { DeliveryPage, ListDeliveriesQuery, toView, type DeliveryView } from './deliveries.dto';

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(private readonly store: DeliveryStore) {}

  @Get()
  @Roles('ADMIN', 'DEVOPS')
  @ApiOperation({
    summary: 'The delivery log: every email and webhook, newest first, with every attempt',
  })
  @ApiOkResponse({ type: DeliveryPage })
  async list(@Query() q: ListDeliveriesQuery): Promise<Page<DeliveryView>> {
    const page = await this.store.list({
      requestId: q.requestId,
      status: q.status,
      channel: q.channel,
      limit: limitOf(q),
      cursor: q.cursor,
    });
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }
}
