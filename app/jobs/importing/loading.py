"""How an import job opens: read and map the file, check a resumed job is the same file's, open its journal."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from app.entities import entity as entity_facts
from app.jobs.errors import JobError
from app.jobs.importing.decide import EntityFacts
from app.jobs.importing.results import check_report_dir
from app.jobs.importing.revision import Regrouped, revise
from app.jobs.importing.state import ImportState
from app.jobs.journal import Entry, Journal, State, journal_path
from app.jobs.sending import adopt_earlier_resend_lists
from app.mapping import Mapping, MappingError, automap, load_mapping, prepare
from app.mapping.documents import Prepared
from app.sheets import SheetError, Table, read_table
from app.sheets.corrected import write_corrected_copy


def fingerprint(path: Path) -> dict[str, Any]:
    """The file's size and SHA-256: a resumed job must read the very file it started from."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return {"size": path.stat().st_size, "sha256": digest.hexdigest()}


class ImportLoading(ImportState):
    """Step 1 of `ImportJob`: read, map, journal (no network)."""

    def load(self) -> Prepared:
        """Read the file, apply the mapping, open (or create) the job's journal."""
        if self.prepared is not None:
            return self.prepared
        s = self.settings
        if s.report_dir is not None:
            check_report_dir(s.report_dir)
        stored: dict[str, Any] = {}
        if s.job_id:
            if not s.dry_run and not journal_path(s.job_id).exists():
                raise JobError(f"There is no job {s.job_id} to resume.")
            if not s.dry_run:
                with Journal.open(s.job_id) as j:
                    stored = j.values()
        if stored.get("input") and s.source is None and Path(stored["input"]).exists():
            s.source, s.file = s.file, Path(stored["input"])  # resumed: the fixes made in the app go on
        origin = s.source or s.file  # the user's file: what the job is of
        if stored:
            check_resumed_from(s.job_id or "", stored, origin)
        try:
            table = s.table if s.table is not None else \
                read_table(s.file, sheet=stored.get("sheet", s.sheet), encoding=stored.get("encoding", s.encoding))
        except SheetError as exc:
            raise JobError(str(exc)) from None
        print_fp = fingerprint(origin)
        if stored and stored.get("fingerprint") != print_fp:
            raise JobError(f'The file "{origin.name}" changed since job {s.job_id} started; '
                           "run it as a new import instead of resuming.")
        try:
            mapping = self._mapping(table, stored)
            prepared = prepare(table, mapping)
        except MappingError as exc:
            raise JobError(str(exc)) from None
        self.table, self.mapping, self.prepared = table, mapping, prepared
        ent = entity_facts(mapping.entity)
        self.facts = EntityFacts(ent.name, ent.id_field, ent.key_field, ent.singular)
        self._documents = {d.index: d for d in prepared.documents}
        settings = {
            "entity": mapping.entity, "operation": mapping.operation, "sheet": table.sheet,
            "target": s.target.identity if s.target else None, "dry_run": s.dry_run,
            "unique_field": s.unique_field, **({"encoding": table.encoding} if table.encoding else {}),
        }
        mapping_json = json.loads(mapping.model_dump_json())
        if not self.job_id:
            digest = hashlib.sha256(json.dumps(
                {"fingerprint": print_fp, "settings": settings, "mapping": mapping_json},
                sort_keys=True).encode()).hexdigest()
            self.job_id = digest[:12]
        journal = self._open_journal(self.job_id, dry_run=s.dry_run)
        self._resumed = journal.has_entries()
        if self._resumed:
            adopt_earlier_resend_lists(journal)
        if self._resumed and (s.source is not None or journal.get("input")):
            self._revise(prepared, table)
        if not s.dry_run and (s.source is not None or journal.get("input")):
            journal.set("input", str(self._keep_input()) if s.source is not None else None)
        if not self._resumed:
            journal.set("kind", "import")
            journal.set("file", str(origin.resolve()))
            journal.set("fingerprint", print_fp)
            journal.set("mapping", mapping_json)
            journal.set("created_at", time.time())
            journal.set("status", "new")
            for name, value in settings.items():
                journal.set(name, value)
            journal.add(self._entries(prepared))
        return prepared

    def _revise(self, prepared: Prepared, table: Table) -> None:
        """The file was revised in the app (or its revision dropped): its documents replace those not sent."""
        assert self.journal is not None
        try:
            revise(self.journal, self._entries(prepared), table.row_numbers)
        except Regrouped as exc:
            self.journal.close()
            self.journal = None
            raise JobError(f"Job {self.job_id} cannot take the changes: {exc}.") from None

    def _keep_input(self) -> Path:
        """The job's own copy of the revised file it reads (the app's copy is written again at each fix). When
        the app gave the cells themselves (`settings.table`), the copy is written from them as the run starts,
        before anything is sent (`keep_input_table`), not at each plan: a plan follows every fix."""
        folder = journal_path(self.job_id).with_suffix(".input")  # the file keeps its name (a CSV's sheet)
        kept = folder / self.settings.file.name
        if self.settings.table is not None:
            self._input_pending = kept
        elif self.settings.file.resolve() != kept.resolve():
            folder.mkdir(mode=0o700, exist_ok=True)
            shutil.copyfile(self.settings.file, kept)
            kept.chmod(0o600)
        return kept

    def keep_input_table(self) -> None:
        """Write the job's own copy of the cells the app gave (see `_keep_input`); a worker thread's job."""
        kept, table = self._input_pending, self.settings.table
        if kept is None or table is None:
            return
        kept.parent.mkdir(mode=0o700, exist_ok=True)
        written = write_corrected_copy(table, kept.parent)
        if written != kept:
            os.replace(written, kept)
        kept.chmod(0o600)
        self._input_pending = None

    def _mapping(self, table: Table, stored: dict[str, Any]) -> Mapping:
        s = self.settings
        if stored.get("mapping"):
            return Mapping.model_validate(stored["mapping"])
        if isinstance(s.mapping, Mapping):
            mapping = s.mapping
        elif s.mapping is not None:
            mapping = load_mapping(s.mapping)
        else:
            mapping = automap(table, s.entity, s.operation)
        if mapping.entity != s.entity:
            raise JobError(f"The mapping is for {mapping.entity}, not {s.entity}.")
        if mapping.operation != s.operation:
            mapping = mapping.model_copy(update={"operation": s.operation})
        if s.replace_lines:
            mapping = mapping.model_copy(update={"replace_lines": True})
        if s.unique_field:
            mapping = mapping.model_copy(update={"upsert_key": s.unique_field})
        return mapping.with_conventions(s.date_order, s.decimal)

    def _entries(self, prepared: Prepared) -> list[Entry]:
        entries = []
        for d in prepared.documents:
            if d.valid:
                entries.append(Entry(index=d.index, key=d.key, rows=list(d.row_indexes)))
            else:
                errors = [p.message for p in d.problems if p.severity == "error"]
                entries.append(Entry(index=d.index, key=d.key, rows=list(d.row_indexes),
                                     state=State.FAILED, outcome="invalid",
                                     message="; ".join(errors)))
        return entries


def check_resumed_from(job_id: str, stored: dict[str, Any], file: Path) -> None:
    """Refuse --resume of another kind of job, or with another file, in those words (before the
    journal's sheet name is tried on a file it does not belong to)."""
    kind = stored.get("kind") or "import"
    if kind != "import":
        what = {"export": "an export", "convert": "a CRM conversion"}.get(kind, f'a "{kind}" job')
        raise JobError(f"Job {job_id} is {what}, not an import; it cannot be resumed here.")
    try:
        same = fingerprint(file) == stored.get("fingerprint")
    except OSError:
        return  # reading the file says plainly what is wrong with it
    if not same:
        started = Path(str(stored.get("file") or "")).name
        was = f' (it was started from "{started}")' if started and started != file.name else ""
        raise JobError(f'The file "{file.name}" is not the one job {job_id} imported{was}, or it '
                       "changed since; run it as a new import instead of resuming.")
