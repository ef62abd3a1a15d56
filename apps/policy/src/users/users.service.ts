import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Role } from '@lapse/contracts';
import { LapseError } from '@lapse/platform';
import { ChangeRecorder } from '../changes/change-recorder';
import { PG, pgCode } from '../common/pg-errors';
import type { CreateUserDto, UserView } from './users.dto';

interface UserRow {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  group_ids: string[];
  created_at: Date;
}

const SELECT_USER = `SELECT u.id, u.email, u.name, u.roles, u.created_at,
  COALESCE((SELECT array_agg(m.group_id ORDER BY m.group_id) FROM policy.memberships m WHERE m.user_id = u.id), '{}') AS group_ids
  FROM policy.users u`;

function view(r: UserRow): UserView {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    roles: r.roles,
    groupIds: r.group_ids,
    createdAt: r.created_at.toISOString(),
  };
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

  async create(dto: CreateUserDto, actorId: string | null): Promise<UserView> {
    const roles = [...new Set(dto.roles ?? [])];
    try {
      return await this.ds.transaction(async (m) => {
        const [row]: UserRow[] = await m.query(
          `INSERT INTO policy.users (email, name, roles) VALUES ($1, $2, $3::text[])
           RETURNING id, email, name, roles, created_at, '{}'::uuid[] AS group_ids`,
          [dto.email.trim(), dto.name, roles],
        );
        const user = view(row);
        await this.changes.record(m, {
          kind: 'user.created',
          entityType: 'user',
          entityId: user.id,
          actorId,
          userId: user.id,
          before: null,
          after: { id: user.id, email: user.email, name: user.name, roles: user.roles },
        });
        return user;
      });
    } catch (e) {
      if (pgCode(e) === PG.uniqueViolation)
        throw LapseError.conflict(`a user with email ${dto.email} already exists`);
      throw e;
    }
  }

  async get(id: string): Promise<UserView> {
    const rows: UserRow[] = await this.ds.query(`${SELECT_USER} WHERE u.id = $1`, [id]);
    if (!rows[0]) throw LapseError.notFound('user', id);
    return view(rows[0]);
  }

  async exists(id: string): Promise<void> {
    const rows: unknown[] = await this.ds.query('SELECT 1 FROM policy.users WHERE id = $1', [id]);
    if (rows.length === 0) throw LapseError.notFound('user', id);
  }

  /** By email (0 or 1, case-insensitive), by role, or the first 1000 by email. */
  async find(q: { email?: string; role?: Role }): Promise<UserView[]> {
    if (q.email) {
      const rows: UserRow[] = await this.ds.query(
        `${SELECT_USER} WHERE lower(u.email) = lower($1)`,
        [q.email.trim()],
      );
      return rows.map(view);
    }
    if (q.role) {
      const rows: UserRow[] = await this.ds.query(
        `${SELECT_USER} WHERE $1 = ANY(u.roles) ORDER BY lower(u.email)`,
        [q.role],
      );
      return rows.map(view);
    }
    const rows: UserRow[] = await this.ds.query(
      `${SELECT_USER} ORDER BY lower(u.email) LIMIT 1000`,
    );
    return rows.map(view);
  }
}
