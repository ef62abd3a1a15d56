import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READER_ROLES, Roles } from '@lapse/auth';
import { type Page } from '@lapse/platform';
import { AuditQueryDto } from './audit.dto';
import type { AuditEntry } from './audit.repository';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles(...READER_ROLES)
  list(@Query() q: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(q);
  }
}
