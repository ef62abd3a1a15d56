import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, READER_ROLES, Roles, WRITER_ROLES, type Principal } from '@lapse/auth';
import { PageQueryDto, type Page } from '@lapse/platform';
import { actorOf } from '../common/actor';
import { uuid } from '../common/ids';
import { PutAssignmentDto, type AssignmentView } from './assignments.dto';
import { AssignmentsService } from './assignments.service';
import { ASSIGNMENT_SCHEMA, pageOfSchema } from '../common/response-schemas';

@ApiTags('assignments')
@ApiBearerAuth()
@Controller('v1/resources/:id/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get()
  @ApiOkResponse({ schema: pageOfSchema(ASSIGNMENT_SCHEMA) })
  @Roles(...READER_ROLES)
  list(
    @Param('id', uuid('id')) id: string,
    @Query() q: PageQueryDto,
  ): Promise<Page<AssignmentView>> {
    return this.assignments.list(id, q);
  }

  /** 201 when created, 200 when replaced. */
  @Put(':groupId')
  @ApiOkResponse({ description: 'replaced', schema: ASSIGNMENT_SCHEMA })
  @ApiCreatedResponse({ description: 'created', schema: ASSIGNMENT_SCHEMA })
  @Roles(...WRITER_ROLES)
  async put(
    @Param('id', uuid('id')) id: string,
    @Param('groupId', uuid('groupId')) groupId: string,
    @Body() dto: PutAssignmentDto,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AssignmentView> {
    const { created, assignment } = await this.assignments.put(id, groupId, dto, actorOf(p));
    res.status(created ? 201 : 200);
    return assignment;
  }

  @Delete(':groupId')
  @HttpCode(204)
  @Roles(...WRITER_ROLES)
  remove(
    @Param('id', uuid('id')) id: string,
    @Param('groupId', uuid('groupId')) groupId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<void> {
    return this.assignments.remove(id, groupId, actorOf(p));
  }
}
