import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { READER_ROLES, Roles } from '@lapse/auth';
import { PageQueryDto, type Page } from '@lapse/platform';
import { uuid } from '../common/ids';
import type { AssignmentView } from './assignments.dto';
import { AssignmentsService } from './assignments.service';
import { ASSIGNMENT_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('assignments')
@ApiBearerAuth()
@Controller('v1/groups/:id/assignments')
export class GroupAssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  /** The resources the group reaches: its assignments, each with its override and expiry. */
  @Get()
  @ApiOkResponse({ schema: pageOfSchema(ASSIGNMENT_SCHEMA) })
  @Roles(...READER_ROLES)
  list(
    @Param('id', uuid('id')) id: string,
    @Query() q: PageQueryDto,
  ): Promise<Page<AssignmentView>> {
    return this.assignments.listForGroup(id, q);
  }
}
