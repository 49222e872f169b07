"""A retrying ingestion job: sends events (NDJSON, one per line) in batches to POST /v1/events.

    ADVOCACY_URL=http://127.0.0.1:8080 ADVOCACY_KEY=adv_... python3 ingest.py events.ndjson [--rejected refused.ndjson]

Each event carries an id the source chose, so sending a batch again is harmless: what was stored before comes
back `duplicate`. That makes retrying simple: on a network error, a timeout, a 429 or a 5xx the same batch is
sent again (after Retry-After when the server gives one) until it is answered. The answer has an outcome per
event: refused ones (`rejected`, with the reason, the field and a message) are written out to be corrected and
sent again later, under the same ids. Prints a JSON summary; exits 1 when some event was refused.
"""
import argparse
import json
import os
import sys
import time

import requests

RETRIED_STATUSES = {429, 500, 502, 503, 504}


def send(session, url, batch, lose_answer=False, attempts=8):
    """POSTs one batch until it is answered; returns the per-event outcomes."""
    body = json.dumps(batch)
    for attempt in range(attempts):
        try:
            response = session.post(url + "/v1/events", data=body, headers={"Content-Type": "application/json"}, timeout=60)
        except requests.RequestException as error:
            wait = min(2 ** attempt, 30)
            print("network error (%s); the same batch again in %d s" % (error, wait), file=sys.stderr)
            time.sleep(wait)
            continue
        if response.status_code in RETRIED_STATUSES:
            wait = int(response.headers.get("Retry-After", min(2 ** attempt, 30)))
            print("HTTP %d; the same batch again in %d s" % (response.status_code, wait), file=sys.stderr)
            time.sleep(wait)
            continue
        if response.status_code != 200:
            # 400, 401, 403, 413, 415: the batch as a whole is wrong; sending it again would not help.
            raise SystemExit("the batch was refused: HTTP %d %s" % (response.status_code, response.text))
        if lose_answer:
            # As if the connection broke after the server stored the batch: the answer never arrives.
            print("(the answer was lost; sending the same batch again)", file=sys.stderr)
            lose_answer = False
            continue
        return response.json()["items"]
    raise SystemExit("no answer after %d attempts" % attempts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("events", help="NDJSON file, one event per line")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--rejected", default="rejected.ndjson", help="where refused events go, with their reasons")
    parser.add_argument("--lose-first-answer", action="store_true", help="drop the first answer, to see a retry stay exactly once")
    arguments = parser.parse_args()

    url, key = os.environ["ADVOCACY_URL"].rstrip("/"), os.environ["ADVOCACY_KEY"]
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + key
    with open(arguments.events) as file:
        events = [json.loads(line) for line in file if line.strip()]

    summary = {"events": len(events), "accepted": 0, "duplicate": 0, "rejected": 0}
    lose = arguments.lose_first_answer
    with open(arguments.rejected, "w") as refused:
        for start in range(0, len(events), arguments.batch_size):
            batch = events[start:start + arguments.batch_size]
            outcomes = send(session, url, batch, lose_answer=lose)
            lose = False
            for event, outcome in zip(batch, outcomes):
                summary[outcome["status"]] += 1
                if outcome["status"] == "rejected":
                    refused.write(json.dumps({"event": event, "reason": outcome["reason"], "field": outcome.get("field"),
                                              "message": outcome.get("message")}) + "\n")
    print(json.dumps(summary))
    sys.exit(1 if summary["rejected"] else 0)


if __name__ == "__main__":
    main()
