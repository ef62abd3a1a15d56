import { PageQueryDto } from '@lapse/platform';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, IsUUID, Length } from 'class-validator';

export class CreateGroupDto {
  @ApiProperty({ example: 'SRE' })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class ReplaceMembersDto {
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMaxSize(20_000)
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
