"""Runs scim2-tester's compliance checks against a SCIM server and reports them as JSON.

Usage: check.py --url http://127.0.0.1:3001/scim/v2 --token <SCIM bearer token> --output out.json

Every check's status, title and reason go to the output file (the Jest suite reads it) and one
line per check to stdout. Exits 1 when a check fails (ERROR or CRITICAL: a MUST of RFC 7643/7644
broken; DEVIATION: a SHOULD broken), 0 otherwise.
"""

import argparse
import json
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILING = {Status.ERROR, Status.CRITICAL, Status.DEVIATION}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    http = Client(
        base_url=args.url,
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=30,
    )
    results = check_server(SyncSCIMClient(http))
    report = [
        {
            "status": r.status.name,
            "title": r.title,
            "resourceType": r.resource_type,
            "reason": r.reason,
            "data": None if r.status not in FAILING else repr(r.data)[:2000],
        }
        for r in results
    ]
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    for r in report:
        where = f"[{r['resourceType']}] " if r["resourceType"] else ""
        print(f"{r['status']:<10} {where}{r['title']}: {r['reason'] or ''}".rstrip())
    failed = [r for r in results if r.status in FAILING]
    print(f"scim2-tester: {len(results) - len(failed)} checks passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
