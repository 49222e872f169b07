"""Runs ingest.py against a server the way a scheduled job would meet trouble, and checks what it reports.

    ADVOCACY_URL=... ADVOCACY_KEY=... python3 Examples/python/check_ingest.py

Three events and one that cannot be (more members reached than impressions), sent with the first answer lost:
the retry finds the good ones already stored (duplicate, none stored twice) and the bad one refused, written
out with its reason. Sent again: nothing new.
"""
import json
import os
import subprocess
import sys
import tempfile
import uuid

here = os.path.dirname(os.path.abspath(__file__))
run = uuid.uuid4().hex[:8]
post = "py-" + run
metrics = {"impressions": 500, "members_reached": 400, "reactions": 12, "comments": 2, "reshares": 1, "clicks": 9}
events = [
    {"id": post + "-published", "type": "post.published", "occurred_at": "2026-11-20T10:00:00Z",
     "data": {"post_id": post, "ambassador_id": "amb-00002", "network": "linkedin"}},
    {"id": post + "-metrics-1", "type": "post.metrics_observed", "occurred_at": "2026-11-21T10:00:00Z", "data": dict(metrics, post_id=post)},
    {"id": post + "-metrics-2", "type": "post.metrics_observed", "occurred_at": "2026-11-22T10:00:00Z",
     "data": dict(metrics, post_id=post, impressions=800, members_reached=650)},
    {"id": post + "-metrics-bad", "type": "post.metrics_observed", "occurred_at": "2026-11-23T10:00:00Z",
     "data": dict(metrics, post_id=post, members_reached=900)},
]
with tempfile.TemporaryDirectory() as work:
    path, refused = os.path.join(work, "events.ndjson"), os.path.join(work, "refused.ndjson")
    with open(path, "w") as file:
        file.writelines(json.dumps(event) + "\n" for event in events)

    def job(*extra):
        done = subprocess.run([sys.executable, os.path.join(here, "ingest.py"), path, "--rejected", refused, "--batch-size", "2", *extra],
                              capture_output=True, text=True)
        return done.returncode, json.loads(done.stdout), open(refused).read().splitlines()

    code, summary, rejected = job("--lose-first-answer")
    assert code == 1, "a refused event makes the job exit 1"
    assert summary == {"events": 4, "accepted": 1, "duplicate": 2, "rejected": 1}, summary
    assert len(rejected) == 1 and json.loads(rejected[0])["reason"] == "inconsistent", rejected
    assert json.loads(rejected[0])["field"] == "data.members_reached", rejected
    code, summary, _ = job()
    assert summary == {"events": 4, "accepted": 0, "duplicate": 3, "rejected": 1}, summary
print("python example: a lost answer retried stored each event once; the refused one written out with its reason")
