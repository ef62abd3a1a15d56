import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { READER_ROLES, Roles } from '@lapse/auth';
import { type Page } from '@lapse/platform';
import { AuditQueryDto } from './audit.dto';
import type { AuditEntry } from './audit.repository';
import { AuditService } from './audit.service';
import { AUDIT_ENTRY_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOkResponse({ schema: pageOfSchema(AUDIT_ENTRY_SCHEMA) })
  @Roles(...READER_ROLES)
  list(@Query() q: AuditQueryDto): Promise<Page<AuditEntry>> {
    return this.audit.list(q);
  }
}
