import { PageQueryDto } from '@lapse/platform';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, IsUUID, Length } from 'class-validator';

export class CreateGroupDto {
  @ApiProperty({ example: 'SRE', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;
}

/** Members one PUT may set: as many UUIDs as fit in the 256 kB a request body may carry. */
export const MAX_MEMBERS_PER_PUT = 5_000;

export class ReplaceMembersDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    uniqueItems: true,
    maxItems: MAX_MEMBERS_PER_PUT,
    description: 'The whole membership (at most 5,000: larger groups grow by POST …/members)',
  })
  @IsArray()
  @ArrayMaxSize(MAX_MEMBERS_PER_PUT)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  userIds!: string[];
}

export class AddMemberDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  userId!: string;
}

export interface GroupView {
  id: string;
  name: string;
  memberIds: string[];
  createdAt: string;
}

/** `PATCH /v1/groups/:id`. */
export class UpdateGroupDto {
  @ApiProperty({ example: 'SRE', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class GroupQueryDto extends PageQueryDto {}

/** An item of `GET /v1/groups`. */
export interface GroupSummary {
  id: string;
  name: string;
  memberCount: number;
  createdAt: string;
}
