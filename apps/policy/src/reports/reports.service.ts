import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import { LapseError } from '@lapse/platform';
import { REPORT_COLUMNS, csvLine, reportLine, type ReportRow } from './csv';

export type ReportScope = 'resource' | 'group' | 'user';

const TABLE: Record<ReportScope, string> = {
  resource: 'resources',
  group: 'groups',
  user: 'users',
};
const FILTER: Record<ReportScope, string> = {
  resource: 'r.id = $1',
  group: 'g.id = $1',
  user: 'u.id = $1',
};

/** One row per (assignment, member); an assignment of an empty group still shows (user columns empty). */
function reportSql(scope: ReportScope): string {
  const join = scope === 'user' ? 'JOIN' : 'LEFT JOIN';
  return `SELECT r.id AS resource_id, r.name AS resource_name, r.policy AS resource_policy,
      g.id AS group_id, g.name AS group_name, a.override, a.expires_at,
      u.id AS user_id, u.email AS user_email, u.name AS user_name, s.state, s.last_admin_unlock_at
    FROM policy.assignments a
    JOIN policy.resources r ON r.id = a.resource_id
    JOIN policy.groups g ON g.id = a.group_id
    ${join} policy.memberships m ON m.group_id = a.group_id
    ${join} policy.users u ON u.id = m.user_id
    LEFT JOIN policy.grant_status s ON s.user_id = u.id AND s.resource_id = r.id
    WHERE ${FILTER[scope]}
    ORDER BY r.name, r.id, g.name, g.id, u.email`;
}

/** CSV reports (rule 10), streamed from a server-side cursor: memory stays flat for any size. */
@Injectable()
export class ReportsService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async stream(scope: ReportScope, id: string, res: Response): Promise<void> {
    const exists: unknown[] = await this.ds.query(
      `SELECT 1 FROM policy.${TABLE[scope]} WHERE id = $1`,
      [id],
    );
    if (exists.length === 0) throw LapseError.notFound(scope, id);
    const runner = this.ds.createQueryRunner('slave');
    const client = (await runner.connect()) as PoolClient;
    try {
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${scope}-${id}-report.csv"`);
      res.write(csvLine([...REPORT_COLUMNS]));
      const rows = client.query(new QueryStream(reportSql(scope), [id], { batchSize: 500 }));
      const toCsv = new Transform({
        writableObjectMode: true,
        transform(row: ReportRow, _enc, done) {
          done(null, reportLine(row));
        },
      });
      await pipeline(rows, toCsv, res);
    } finally {
      await runner.release();
    }
  }
}
