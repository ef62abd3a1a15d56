import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@lapse/auth';
import { DeliveryStore } from './delivery.store';
import { ListDeliveriesQuery, toView, type DeliveryView } from './deliveries.dto';

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
  async list(@Query() q: ListDeliveriesQuery): Promise<DeliveryView[]> {
    const rows = await this.store.list({
      requestId: q.requestId,
      status: q.status,
      channel: q.channel,
      limit: q.limit ?? 100,
    });
    return rows.map(toView);
  }
}
