"""The operations every front end shares — the CLI, the API and the web pages make one call each.

- events.py: trade-fair events — plan, lock, re-plan over the live index, files and agendas;
- register.py: suppliers and requirements into the database and the live index together;
- access.py: who may see and edit what (contacts, private requirements, own profile);
- search.py: free text or a stored requirement → ranked suppliers, and why a search is empty;
- index.py: the workspace's live index as the services see it, and its one writer;
- ranker.py: the learned ranker trained from the workspace's outcomes, its status, rollback.
"""

from matcher.services.access import (
    as_seen,
    check_ids,
    contact_visible,
    feedback_parties,
    may_edit_supplier,
    owned_requirement,
    request_problem,
    views,
)
from matcher.services.events import Events, plan_meetings
from matcher.services.index import SearchIndex, WriteGate, open_index, write_gate
from matcher.services.register import Register
from matcher.services.search import SearchResult, search

__all__ = [
    "Events",
    "Register",
    "SearchIndex",
    "SearchResult",
    "WriteGate",
    "as_seen",
    "check_ids",
    "contact_visible",
    "feedback_parties",
    "may_edit_supplier",
    "open_index",
    "owned_requirement",
    "plan_meetings",
    "request_problem",
    "search",
    "views",
    "write_gate",
]
