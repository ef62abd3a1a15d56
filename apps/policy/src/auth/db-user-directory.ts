import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DirectoryUser, UserDirectory } from '@lapse/auth';
import type { Role } from '@lapse/contracts';
import { isUuid } from '../common/ids';

/**
 * The policy service resolves token subjects from its own users table (roles live on the user).
 * Only active users: an offboarded user's tokens are refused from the next call (rule 12).
 */
@Injectable()
export class DbUserDirectory implements UserDirectory {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async findById(id: string): Promise<DirectoryUser | null> {
    if (!isUuid(id)) return null;
    const rows: { id: string; email: string; name: string; roles: Role[] }[] = await this.ds.query(
      'SELECT id, email, name, roles FROM policy.users WHERE id = $1 AND active',
      [id],
    );
    return rows[0] ?? null;
  }
}
