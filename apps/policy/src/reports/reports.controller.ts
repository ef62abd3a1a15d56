import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { READER_ROLES, Roles } from '@lapse/auth';
import { uuid } from '../common/ids';
import { ReportsService } from './reports.service';

/** A CSV report: a header line, then one line per grant. */
const CSV = {
  description: 'CSV (RFC 4180), one line per grant',
  content: { 'text/csv': { schema: { type: 'string' } } },
};

@ApiTags('reports')
@ApiBearerAuth()
@ApiProduces('text/csv')
@Controller('v1')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('resources/:id/report.csv')
  @ApiOkResponse(CSV)
  @Roles(...READER_ROLES)
  resource(@Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    return this.reports.stream('resource', id, res);
  }

  @Get('groups/:id/report.csv')
  @ApiOkResponse(CSV)
  @Roles(...READER_ROLES)
  group(@Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    return this.reports.stream('group', id, res);
  }

  @Get('users/:id/report.csv')
  @ApiOkResponse(CSV)
  @Roles(...READER_ROLES)
  user(@Param('id', uuid('id')) id: string, @Res() res: Response): Promise<void> {
    return this.reports.stream('user', id, res);
  }
}
