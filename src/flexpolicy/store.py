"""`PolicyStore`: the policies of a rules directory, swapped in whole when they change.

Why: a till or a CRM runs for weeks while its policies are edited.  Restarting
to pick up a change drops requests; reloading in place must never serve a half
written file, a mixture of two versions, or nothing at all.  The store holds one
immutable `PolicySet` at a time and replaces the whole set with one reference
assignment (atomic in CPython):

- a decision reads the current set once, at its start, and finishes on it, so a
  decision in flight is never affected by a reload, and every decision names the
  version it was made on (`decision.policy_digest`);
- a reload loads every file of the directory into a new set first; if any file is
  wrong (or the directory changed while it was read), the store keeps serving the
  last good set and says why (`store.status.error`), and tries again on the next
  change;
- so does a reload that fails with an exception flexpolicy did not mean to raise
  (any `Exception` that is not a `FlexPolicyError`: a bug in flexpolicy, never in
  the policy).  The store keeps the last good set, reports the failure in
  `status.error` as a `PolicyError` coded `internal-error` (the file, the exception
  type, its first line), logs the traceback to the `flexpolicy.store` logger, and
  keeps watching.  `reload()` and `refresh()` called directly do the same and
  return False rather than raise: a caller has one place to look (`status`), and the
  set served is never half replaced.  (`KeyboardInterrupt` and `SystemExit` are
  not caught, and leave the set served as it was.)
- reloads are serialised by one lock; decisions take no lock at all.

Changes are found by polling the files' names and contents (`refresh()`, or
`watch(interval)` in a background thread): a rules directory holds a handful of
small files, so a poll reads and hashes a few kilobytes, needs no platform
notification API, and works on network filesystems where those do not.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ._build.internal import internal_error
from ._engine.backend import Engine
from .decision import Decision
from .errors import FlexPolicyError, PolicyError
from .models import Actor, CaseFacts, Customer, Request, Situation, Transaction
from .policy import FactsIn, PolicySet, load_policies

__all__ = ["PolicyStore", "StoreStatus"]

Fingerprint = tuple[tuple[str, str], ...]  # (file name, hash of its bytes), sorted
Clock = Callable[[], datetime]

_log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What the store serves, and why it may not serve what is on disk.

    `generation` counts the sets served (1 for the first); `digests` names each
    policy of the set served by id; `error` is the reason the last reload was
    refused (None once a reload succeeds) and `error_at` when that happened.
    """

    generation: int
    loaded_at: datetime
    digests: dict[str, str]
    error: FlexPolicyError | None = None
    error_at: datetime | None = None

    @property
    def healthy(self) -> bool:
        """Whether the set served is the one on disk (the last reload succeeded)."""
        return self.error is None


class PolicyStore:
    """The policies of one directory, reloaded whole when they change.

    Construction loads the directory and raises `PolicyError` if it is wrong:
    a store always has a good set to serve.  After that, `refresh()` (or the
    `watch` thread) reloads when the files changed, and a wrong change never
    replaces the good set.
    """

    def __init__(
        self, directory: str | Path, *, engine: Engine = "native", clock: Clock = _utc_now
    ) -> None:
        self._directory = Path(directory)
        self._engine: Engine = engine
        self._clock = clock
        self._reload_lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        fingerprint = self._fingerprint()
        try:
            policies = load_policies(self._directory, engine=engine)
        except FlexPolicyError:
            raise
        except Exception as exc:  # a bug in flexpolicy: still a `PolicyError`, traceback chained
            raise _unexpected(exc, self._directory, reloading=False) from exc
        self._seen = fingerprint
        # The one piece of state decisions read: replaced, never mutated.
        self._served: tuple[PolicySet, StoreStatus] = (
            policies,
            StoreStatus(1, clock(), _digests(policies)),
        )

    # -- what is served ------------------------------------------------------------
    @property
    def policies(self) -> PolicySet:
        """The set served now.  Keep the reference to decide several things on one version."""
        return self._served[0]

    @property
    def status(self) -> StoreStatus:
        return self._served[1]

    @property
    def directory(self) -> Path:
        return self._directory

    def decide(
        self,
        request: Request | FactsIn,
        *,
        customer: Customer | FactsIn,
        transaction: Transaction | FactsIn | None = None,
        actor: Actor | FactsIn | None = None,
        as_of: date | None = None,
        case: CaseFacts | FactsIn | None = None,
    ) -> Decision:
        """`PolicySet.decide` on the set served when the call starts."""
        return self._served[0].decide(
            request, customer=customer, transaction=transaction, actor=actor, as_of=as_of, case=case
        )

    def decide_situation(self, situation: Situation | FactsIn) -> Decision:
        return self._served[0].decide_situation(situation)

    # -- reloading -------------------------------------------------------------------
    def refresh(self) -> bool:
        """Reload if the directory's files changed since the last look; True if a new set
        is served.  A wrong change is kept out and reported in `status.error`; so is any
        unexpected error (see `reload`)."""
        try:
            changed = self._fingerprint() != self._seen
        except Exception:  # `reload` meets it again, and reports it
            changed = True
        return self.reload() if changed else False

    def reload(self) -> bool:
        """Load the directory now; serve it if every file is right, else keep the last good set.

        Returns whether a new set is served; never raises for a bad directory.  A failure
        that is not a `FlexPolicyError` (a bug in flexpolicy) is handled the same way: the
        last good set stays, `status.error` is a `PolicyError` coded `internal-error`, and
        the traceback goes to the `flexpolicy.store` logger.  A reload that fails remembers
        the files it saw, so `refresh` tries again only once they change; call `reload` to
        try again at once.
        """
        with self._reload_lock:
            before: Fingerprint = ()
            try:
                before = self._fingerprint()
                return self._load(before)
            except Exception as exc:
                self._refuse(_unexpected(exc, self._directory, reloading=True))
                self._seen = before  # only once the failure is recorded: else look again
                return False

    def _load(self, before: Fingerprint) -> bool:
        """The body of `reload`, under its lock; `FlexPolicyError`s are refused here."""
        try:
            policies = load_policies(self._directory, engine=self._engine)
        except FlexPolicyError as exc:
            internal = [p for p in getattr(exc, "problems", ()) if p.code == "internal-error"]
            if internal and exc.__cause__ is not None:
                _log_bug(exc.__cause__, internal[0].file)
            self._refuse(exc)
            self._seen = before
            return False
        except OSError as exc:  # the directory itself went away mid-load
            self._refuse(
                PolicyError.single(
                    "unreadable",
                    f"cannot read the policies: {exc.strerror or exc}",
                    file=str(self._directory),
                )
            )
            self._seen = before
            return False
        after = self._fingerprint()
        if after != before:  # a file changed while it was read: the set may mix versions
            self._refuse(
                PolicyError.single(
                    "changed-while-loading",
                    "policy files changed while they were being loaded",
                    file=str(self._directory),
                    hint="the store tries again on the next refresh",
                )
            )
            self._seen = ()  # look again on the next refresh
            return False
        status = StoreStatus(self._served[1].generation + 1, self._clock(), _digests(policies))
        self._served = (policies, status)
        self._seen = after
        return True

    def _refuse(self, error: FlexPolicyError) -> None:
        policies, status = self._served
        self._served = (
            policies,
            StoreStatus(status.generation, status.loaded_at, status.digests, error, self._clock()),
        )

    def _fingerprint(self) -> Fingerprint:
        """The files' names and contents, hashed.  Contents, not modification times: an
        edit within one tick of the filesystem's clock keeps the time and the size."""
        try:
            entries = [
                (p.name, hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest())
                for p in self._directory.iterdir()
                if p.suffix in (".yaml", ".yml") and p.is_file()
            ]
        except OSError:
            return ()  # gone or unreadable: `reload` says why
        return tuple(sorted(entries))

    # -- watching --------------------------------------------------------------------
    def watch(self, interval: float = 1.0) -> PolicyStore:
        """Poll the directory every `interval` seconds in a daemon thread until `close()`.

        Returns the store, so `with PolicyStore("rules").watch(): ...` stops it on exit.
        """
        if interval <= 0:
            raise ValueError(f"interval must be positive, not {interval}")
        if self._watcher is not None:
            raise RuntimeError("this store is already being watched")
        self._stop.clear()
        self._watcher = threading.Thread(
            target=self._poll, args=(interval,), name="flexpolicy-store-watch", daemon=True
        )
        self._watcher.start()
        return self

    def _poll(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.refresh()  # errors land in `status`; the thread never dies of a bad file
            except Exception:  # recording an error failed (a clock that raises, say)
                _log.exception(
                    "the policy store watching %s failed; it keeps watching", self._directory
                )

    def close(self) -> None:
        """Stop watching (a no-op when not watching)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            self._stop.set()
            watcher.join()

    def __enter__(self) -> PolicyStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        status = self.status
        health = "ok" if status.healthy else f"refusing a change: {status.error}"
        return f"<PolicyStore {self._directory} generation {status.generation}, {health}>"


def _digests(policies: PolicySet) -> dict[str, str]:
    return {policy.id: policy.digest for policy in policies}


def _unexpected(exc: Exception, directory: Path, *, reloading: bool) -> PolicyError:
    """An exception flexpolicy did not mean to raise while loading, as a one-line problem.

    Loading a file turns its own unexpected errors into `internal-error` problems that
    name it (`Policy.from_yaml`); what reaches here failed around the files, so the
    directory is named.  A failed reload logs the traceback (see `_log_bug`); at
    construction the traceback is the `__cause__` of the error raised instead.
    """
    if reloading:
        _log_bug(exc, str(directory))
        hint = (
            "the last good set is still served and the next change is tried; the traceback"
            " is logged by `flexpolicy.store`: please report it with the file"
        )
    else:
        hint = "the traceback is this error's cause: please report it with the file"
    return internal_error(exc, str(directory), what="loading the policies", hint=hint)


def _log_bug(exc: BaseException, where: str) -> None:
    """Log an unexpected error's traceback, then let its frames go: after a `MemoryError`,
    what the failed load held is what the rest of the process needs."""
    _log.error(
        "reloading policies failed in %s with %s (a bug in flexpolicy); "
        "the last good set is still served",
        where,
        type(exc).__name__,
        exc_info=exc,
    )
    traceback.clear_frames(exc.__traceback__)
