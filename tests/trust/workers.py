"""Worker processes for the concurrency attack: `python -m tests.trust.workers URL SEED N MANAGER AUTHOR IDS...`.

Each worker moves the shared ideas round the review loop (submitted -> in review -> needs changes ->
submitted), half the time with the version it read (as the UI sends it), half blind; it prints one JSON line:
successes per idea, outcome counts and every distinct message a person would have been shown.
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter


def main(argv: list[str]) -> None:
    from hero_core.db import Database
    from hero_core.errors import HeroError
    from hero_core.services import ideas

    url, seed, rounds, manager, author, *idea_ids = argv
    rng = random.Random(int(seed))
    ids = [int(i) for i in idea_ids]
    manager, author = int(manager), int(author)
    db = Database(url)
    successes: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()
    messages: set[str] = set()
    for k in range(int(rounds)):
        idea_id = rng.choice(ids)
        try:
            view = ideas.get_idea(db, actor_id=manager, idea_id=idea_id)
            version = view.version if rng.random() < 0.5 else None
            if view.state == "submitted":
                ideas.start_review(db, actor_id=manager, idea_id=idea_id, expected_version=version)
            elif view.state == "in_review":
                ideas.request_changes(db, actor_id=manager, idea_id=idea_id, expected_version=version,
                                      reason=f"worker {seed} round {k}: more detail, please")
            else:
                ideas.resubmit(db, actor_id=author, idea_id=idea_id, expected_version=version)
            successes[idea_id] += 1
            outcomes["ok"] += 1
        except HeroError as exc:
            outcomes[type(exc).__name__] += 1
            messages.add(str(exc))
        except Exception as exc:  # noqa: BLE001 - counted: the test requires there are none
            outcomes[f"unexpected {type(exc).__name__}"] += 1
            messages.add(repr(exc)[:300])
    db.dispose()
    print(json.dumps({"successes": {str(k): v for k, v in successes.items()}, "outcomes": outcomes,
                      "messages": sorted(messages)}))


if __name__ == "__main__":
    main(sys.argv[1:])
