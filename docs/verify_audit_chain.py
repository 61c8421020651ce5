#!/usr/bin/env python3
"""Re-computes claimtracker's audit hash chain independently of the app.

Input: JSON lines on stdin, one event each, in seq order, with the fields
seq, occurred_at, actor_type, actor_user_id, actor_token_id, actor_display, action,
entity_type, entity_id, claim_id, article_id, before, after, request_id, prev_hash, hash.
For example, straight from PostgreSQL:

  psql "$DATABASE_URL" -Atc "SELECT json_build_object(
      'seq', seq, 'occurred_at', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),
      'actor_type', actor_type, 'actor_user_id', actor_user_id, 'actor_token_id', actor_token_id,
      'actor_display', actor_display, 'action', action, 'entity_type', entity_type,
      'entity_id', entity_id, 'claim_id', claim_id, 'article_id', article_id,
      'before', before, 'after', after, 'request_id', request_id,
      'prev_hash', prev_hash, 'hash', hash) FROM audit_events ORDER BY seq" \
    | python3 docs/verify_audit_chain.py

hash = sha256(prev_hash + canonical), canonical = the event without prev_hash/hash as compact
JSON with sorted keys (see README, "Audit history").
Prints "ok EVENTS HEAD" and exits 0, or "bad SEQ reason" and exits 1.
"""
import hashlib
import json
import sys

FIELDS = ["action", "actor_display", "actor_token_id", "actor_type", "actor_user_id", "after",
          "article_id", "before", "claim_id", "entity_id", "entity_type", "occurred_at",
          "request_id", "seq"]
GENESIS = "0" * 64


def main() -> int:
    prev = GENESIS
    expected_seq = 1
    count = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        event = json.loads(line)
        seq = event["seq"]
        if seq != expected_seq:
            print(f"bad {expected_seq} missing")
            return 1
        if event["prev_hash"] != prev:
            print(f"bad {seq} prev_hash does not match")
            return 1
        canonical = json.dumps({k: event[k] for k in FIELDS}, sort_keys=True,
                               separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()
        if digest != event["hash"]:
            print(f"bad {seq} hash does not match")
            return 1
        prev = digest
        expected_seq += 1
        count += 1
    print(f"ok {count} {prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
